"""Running `newsdesk` in a subprocess the way a user would, and judging its output.

Each run gets its own HOME and XDG folders, a memory ceiling (so a test that
finds a runaway read fails instead of taking the machine down), a timeout,
and its peak resident memory measured with `os.wait4` (per child, unlike
`RUSAGE_CHILDREN`, which is the maximum over every child ever waited for).

Tests run as root in CI containers, where `chmod 000` blocks nothing. When
that is so, every newsdesk process is started without the two capabilities
that let root ignore file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
dropped from the bounding set just before `exec`: the process is still root
and owns the files, but permissions bind it as they bind any user.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from index.store import read_meta

__all__ = [
    "FORBIDDEN",
    "Run",
    "forbidden_characters",
    "index_documents",
    "newsdesk",
    "permissions_bind",
]

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\udc80-\udc9f]"
)
"""What must never reach a terminal from an article or a file name: C0
controls but tab and newline (ESC, BEL, CR among them), DEL, C1 controls,
bidi overrides and isolates, and raw bytes 0x80-0x9f (C1 to an 8-bit
terminal), which decoding with surrogateescape turns into U+DC80-U+DC9F."""

MEMORY_CEILING = 4 * 1024**3
"""Address space any newsdesk process may take (RLIMIT_AS)."""

# Run by a bare interpreter before newsdesk: set the ceiling, drop the
# capabilities when asked, then exec the real command in the same process.
_PRELUDE = """
import ctypes, os, resource, sys
ceiling, drop = int(sys.argv[1]), sys.argv[2] == "1"
resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
if drop:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            sys.exit("cannot drop capability %d: errno %d" % (cap, ctypes.get_errno()))
os.execv(sys.argv[3], sys.argv[3:])
"""


@dataclass(frozen=True)
class Run:
    """One finished newsdesk process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    """Decoded as UTF-8 with surrogateescape: invalid bytes stay visible."""
    stderr: str
    seconds: float
    max_rss_kb: int
    timed_out: bool = False
    over_memory: bool = False

    def describe(self) -> str:
        return (
            f"newsdesk {' '.join(self.args)!r} exited {self.returncode} in "
            f"{self.seconds:.1f} s\n--- stdout ---\n{self.stdout[-3000:]}\n"
            f"--- stderr ---\n{self.stderr[-3000:]}"
        )


def _environment(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSDESK_", "XDG_")) and key not in ("COLUMNS",)
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        COLUMNS="100",
        PYTHONIOENCODING="utf-8",
    )
    return env


_BINDS: bool | None = None


def permissions_bind() -> bool:
    """Whether a newsdesk process can be denied a file by its permissions."""
    global _BINDS
    if _BINDS is None:
        with tempfile.TemporaryDirectory() as folder:
            secret = Path(folder) / "secret"
            secret.write_text("secret")
            secret.chmod(0)
            probe = _run(
                [sys.executable, "-c", f"open({str(secret)!r}).read()"],
                cwd=Path(folder),
                env=dict(os.environ),
                timeout=30,
            )
            _BINDS = probe.returncode != 0 and "PermissionError" in probe.stderr
    return _BINDS


def _peak_rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _run(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    rss_limit_kb: int | None = None,
) -> Run:
    drop = os.geteuid() == 0
    full = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        _PRELUDE,
        str(MEMORY_CEILING),
        "1" if drop else "0",
        *command,
    ]
    import subprocess

    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            full, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        timed_out = over_memory = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                timed_out = True
            elif rss_limit_kb is not None and _peak_rss_kb(process.pid) > rss_limit_kb:
                over_memory = True
            if timed_out or over_memory:
                os.kill(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02 if elapsed < 2 else 0.1)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "surrogateescape")
        stderr = err.read().decode("utf-8", "surrogateescape")
    return Run(
        tuple(command[3:]) if command[:3] == _NEWSDESK else tuple(command),
        process.returncode,
        stdout,
        stderr,
        seconds,
        usage.ru_maxrss,
        timed_out,
        over_memory,
    )


_NEWSDESK = [sys.executable, "-m", "tui.cli"]


def newsdesk(
    *args: str | Path,
    home: Path,
    timeout: float = 60,
    rss_limit_kb: int | None = None,
) -> Run:
    """Run `newsdesk ARGS` with HOME and the XDG folders under `home`.

    A run that takes longer than `timeout` seconds, or whose peak memory
    passes `rss_limit_kb`, is killed and marked so."""
    home.mkdir(parents=True, exist_ok=True)
    return _run(
        [*_NEWSDESK, *(str(arg) for arg in args)],
        cwd=home,
        env=_environment(home),
        timeout=timeout,
        rss_limit_kb=rss_limit_kb,
    )


def forbidden_characters(text: str) -> list[str]:
    """The control characters in `text` that must not reach a terminal."""
    return sorted({f"U+{ord(char):04X}" for char in FORBIDDEN.findall(text)})


def index_documents(index_dir: Path) -> list[dict[str, Any]]:
    """Every document's stored fields in the live generation of an index."""
    meta = read_meta(index_dir)
    if meta is None:
        return []
    ix = whoosh_index.open_dir(str(index_dir / meta.generation))
    try:
        with ix.searcher() as searcher:
            return [dict(fields) for fields in searcher.all_stored_fields()]
    finally:
        ix.close()


def signal_name(returncode: int) -> str:
    if returncode < 0:
        return signal.Signals(-returncode).name
    return str(returncode)
