"""Machinery for `test_survival.py`: generated corpora, a fixed set of
queries, writers run in their own process group and killed on cue, and
snapshots of folders that must not change.

Nothing here imports pytest, so the reader process of the two-writers test
can import `answers` from it and judge exactly what the test judges.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.search import ArticleIndex

__all__ = [
    "DRIVER",
    "QUERIES",
    "REPO",
    "WITHOUT_DAC_OVERRIDE",
    "Answers",
    "KillPoint",
    "KillRun",
    "answers",
    "change_articles",
    "chmod_read_only",
    "chmod_writable",
    "clean_env",
    "folder_snapshot",
    "generate_articles",
    "group_survivors",
    "kill_group",
    "newsdesk",
    "read_answers",
    "run_writer",
    "stderr_lines",
]

REPO = Path(__file__).resolve().parents[2]

WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
    "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
]  # fmt: skip

QUERIES = (
    "title:kilo",
    "quokka",
    "zulu",
    '"alpha bravo charlie"',
    "title:tango AND NOT quokka",
    "",
)
"""Asked after every kill, corruption and failed write. `quokka` is only in
changed files and `zulu` only in new ones, so a half-applied update would
show; the empty query lists every article. Narrow on purpose: snippets for
hundreds of hits would make each check slow."""

LIMIT = 10_000
"""More than any corpus here holds: every answer is a complete set."""

Answers = tuple[tuple[str, int, tuple[str, ...]], ...]
"""Per query: the query, the total and the sorted ids of all its hits."""


def read_answers(ix: ArticleIndex) -> Answers:
    """The fixed queries' answers from one open index (one searcher)."""
    out = []
    for query in QUERIES:
        result = ix.search(query, limit=LIMIT)
        if result.error is not None:
            raise AssertionError(f"{query!r} failed: {result.error}")
        out.append((query, result.total, tuple(sorted(hit.id for hit in result.hits))))
    return tuple(out)


def answers(index_dir: Path) -> Answers:
    ix = ArticleIndex(index_dir)
    try:
        return read_answers(ix)
    finally:
        ix.close()


def _article(rng: random.Random, number: int, extra: str = "") -> str:
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(30)) + "." for _ in range(4)
    ]
    headline = f"Story {number} about {rng.choice(WORDS)}"
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n" + extra


def generate_articles(folder: Path, count: int, seed: int = 11) -> None:
    """`count` plain-text articles of NATO alphabet words."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for number in range(count):
        path = folder / f"{number:04d}.txt"
        path.write_text(_article(rng, number), encoding="utf-8")


def change_articles(source: Path, target: Path, seed: int = 12) -> None:
    """A copy of `source` with a third of its files changed (they gain
    `quokka`), a twentieth removed and a tenth more added (with `zulu`)."""
    shutil.copytree(source, target)
    files = sorted(target.glob("*.txt"))
    for path in files[: len(files) // 3]:
        path.write_text(path.read_text("utf-8") + "\nA quokka.\n", "utf-8")
    for path in files[-(len(files) // 20) :]:
        path.unlink()
    rng = random.Random(seed)
    for number in range(len(files), len(files) + len(files) // 10):
        path = target / f"{number:04d}.txt"
        path.write_text(_article(rng, number, "\nZulu time.\n"), encoding="utf-8")


def clean_env(home: Path, pythonpath: bool = False) -> dict[str, str]:
    """The environment of a newsdesk process that sees no user settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSDESK_", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        NO_COLOR="1",
    )
    if pythonpath:
        env["PYTHONPATH"] = str(REPO)
    return env


def newsdesk(
    *args: str | Path,
    home: Path,
    timeout: float = 300.0,
    read_only: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`newsdesk ARGS` in a subprocess, as a user would run it; with
    `read_only`, unable to write where write bits say no, even as root."""
    launcher = [sys.executable, "-c", WITHOUT_DAC_OVERRIDE] if read_only else []
    return subprocess.run(
        [*launcher, sys.executable, "-m", "tui.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=home.parent,
        env=clean_env(home),
        timeout=timeout,
    )


_PROGRESS = re.compile(r"^(?:indexing [\d,]+/[\d,]+ files · |writing the index …$)")


def stderr_lines(stderr: str) -> list[str]:
    """stderr without the progress lines `newsdesk index` prints when it is
    not on a terminal: what is left is what newsdesk has to say."""
    return [line for line in stderr.splitlines() if not _PROGRESS.match(line)]


# --- killing writers --------------------------------------------------------

DRIVER = """
import sys
from pathlib import Path
from index.locations import Locations
from index.store import update_index

def report(progress):
    print(progress.phase, progress.done, progress.total, flush=True)

print("started", flush=True)
update_index(
    Locations((Path(sys.argv[1]),), Path(sys.argv[2])),
    rebuild=sys.argv[3] == "rebuild",
    progress=report,
)
print("finished", flush=True)
"""
"""A writer that says on stdout where it is: `started`, each progress step
(`scanning 0 0`, `indexing DONE TOTAL`, `committing ...`), `finished`. Run
with `-c` so that worker processes do not run it again as their main."""


@dataclass(frozen=True)
class KillPoint:
    """When to SIGKILL a writer: `delay` seconds after `trigger`.

    `trigger` is `start` (the process was started), `indexing` (it reported
    at least `share` of its files read), `committing`, `toc`: a new Whoosh
    table of contents appeared on disk, so Whoosh's commit is done and what
    follows it (manifest, `current.json`) is not, or `published`:
    `current.json` changed."""

    mode: str
    trigger: str
    delay: float
    share: float = 0.0

    def fires_on(self, line: str) -> bool:
        if not line:
            return False
        phase, *numbers = line.split()
        if phase != self.trigger:
            return False
        if phase != "indexing":
            return True
        done, total = (int(number) for number in numbers[:2])
        return done >= self.share * total

    @property
    def label(self) -> str:
        if self.trigger == "indexing":
            return f"{self.mode} {self.share:.0%} read +{self.delay:.2f}s"
        return f"{self.mode} {self.trigger} +{self.delay:.2f}s"


@dataclass
class KillRun:
    """What a writer printed (seconds since start, line) and how it ended."""

    lines: list[tuple[float, str]] = field(default_factory=list)
    returncode: int | None = None
    killed_after: float | None = None
    """Seconds after the start the kill was sent; None if it was not."""
    stderr: str = ""
    pid: int = 0
    """The writer's process id, which is also its process group's."""
    group_at_kill: int = 0
    """How many live processes its group had when the kill was sent."""

    @property
    def finished(self) -> bool:
        return any(line == "finished" for _, line in self.lines)

    @property
    def landed(self) -> bool:
        """Killed while it was working, not after it was done."""
        return self.returncode == -signal.SIGKILL and not self.finished

    @property
    def last_phase(self) -> str:
        """The last step it reported before it died."""
        return self.lines[-1][1].split()[0] if self.lines else "(nothing)"

    def seen(self, phase: str) -> float | None:
        """When it first reported `phase`."""
        return next((t for t, line in self.lines if line.startswith(phase)), None)


def _tables_of_contents(index_dir: Path) -> set[Path]:
    # `_MAIN_0.toc` is what `create_in` writes for an empty index.
    return {
        path for path in index_dir.glob("*/_MAIN_*.toc") if path.name != "_MAIN_0.toc"
    }


def _current(index_dir: Path) -> bytes | None:
    try:
        return (index_dir / "current.json").read_bytes()
    except OSError:
        return None


def group_survivors(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`, from /proc."""
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp, *_ = stat[stat.rfind(")") + 2 :].split()
        if int(pgrp) == pgid and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL a process started with `start_new_session` and its whole group
    (its worker processes too), unless it is gone already."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def run_writer(
    articles: Path,
    index_dir: Path,
    home: Path,
    mode: str,
    point: KillPoint | None = None,
) -> KillRun:
    """Run the driver (`mode`: `rebuild` or `update`) on `index_dir`; with a
    kill point, SIGKILL its whole process group (it has worker processes)
    when the point comes."""
    run = KillRun()
    stderr_path = index_dir.parent / f"{index_dir.name}.stderr"
    tocs = _tables_of_contents(index_dir)
    current = _current(index_dir)
    with open(stderr_path, "wb") as stderr:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(articles), str(index_dir), mode],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=home.parent,
            env=clean_env(home),
            start_new_session=True,
        )
    run.pid = process.pid
    fired = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.strip()
            run.lines.append((time.monotonic() - started, line))
            if point is not None and point.fires_on(line):
                fired.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if point is not None:
            if point.trigger == "start":
                deadline = started + point.delay
            elif point.trigger in ("toc", "published"):
                while process.poll() is None and (
                    _tables_of_contents(index_dir) <= tocs
                    if point.trigger == "toc"
                    else _current(index_dir) == current
                ):
                    time.sleep(0.002)
                deadline = time.monotonic() + point.delay
            else:
                while not fired.wait(0.01) and process.poll() is None:
                    pass
                deadline = time.monotonic() + point.delay
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            if process.poll() is None:
                run.group_at_kill = len(group_survivors(process.pid))
                run.killed_after = time.monotonic() - started
                os.killpg(process.pid, signal.SIGKILL)
        run.returncode = process.wait(timeout=300)
    finally:
        if process.poll() is None:
            kill_group(process)
            process.wait(timeout=60)
        reader.join(timeout=60)
        if process.stdout is not None:
            process.stdout.close()
    # The worker processes were sent SIGKILL too; give them a moment to go.
    deadline = time.monotonic() + 30
    while group_survivors(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    run.stderr = stderr_path.read_text("utf-8", "replace")
    return run


# --- read-only folders ------------------------------------------------------

WITHOUT_DAC_OVERRIDE = """
import ctypes, os, sys
# PR_CAPBSET_DROP (24) of CAP_DAC_OVERRIDE (1): gone from this process's
# bounding set, so gone after the exec below. Fails harmlessly (returns -1)
# without CAP_SETPCAP, that is when not root: write bits bind already.
ctypes.CDLL(None, use_errno=True).prctl(24, 1, 0, 0, 0)
os.execv(sys.argv[1], sys.argv[1:])
"""
"""A launcher, `python -c WITHOUT_DAC_OVERRIDE PROGRAM ARGS...`, that runs
`PROGRAM ARGS...` without root's right to ignore write bits, so `chmod a-w` binds
root the way it binds any user. (A launcher rather than a `preexec_fn`,
which is unsafe in a process with threads.)"""


def folder_snapshot(folder: Path) -> dict[str, tuple[str, int, int, int, str]]:
    """Every entry under `folder`: kind, mode, size, mtime_ns and sha256."""
    entries: dict[str, tuple[str, int, int, int, str]] = {}
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            info = path.lstat()
            kind = "dir" if path.is_dir() else "file"
            digest = ""
            if kind == "file":
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            entries[str(path.relative_to(folder))] = (
                kind,
                info.st_mode,
                info.st_size,
                info.st_mtime_ns,
                digest,
            )
    info = folder.lstat()
    entries["."] = ("dir", info.st_mode, info.st_size, info.st_mtime_ns, "")
    return entries


def chmod_read_only(folder: Path) -> None:
    """`chmod -R a-w folder`."""
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            path.chmod(path.stat().st_mode & ~0o222)
    folder.chmod(folder.stat().st_mode & ~0o222)


def chmod_writable(folder: Path) -> None:
    """Undo `chmod_read_only`, so that pytest can clean up."""
    folder.chmod(folder.stat().st_mode | 0o200)
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            path.chmod(path.stat().st_mode | 0o200)
