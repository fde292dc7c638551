"""Running `newsdesk` in a subprocess the way a user would, and judging its output.

Each run gets its own HOME and XDG folders, a timeout, an address-space
ceiling (so that a test that finds a runaway read fails instead of taking the
machine down) and its peak resident memory measured.

The measuring is done by a small supervisor, a bare interpreter (`-I -S`,
about 10 MB) that starts newsdesk as its only child, kills it at the memory
bound or the timeout, and reports `getrusage(RUSAGE_CHILDREN).ru_maxrss`.
Measuring from the test process itself would be wrong: a child forked from
a large parent starts with the parent's resident pages counted, so every
small run would report the test process's size.

Tests run as root in CI containers, where `chmod 000` blocks nothing. When
that is so, the supervisor drops the two capabilities that let root ignore
file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from the bounding
set before it starts newsdesk: the process is still root and owns its files,
but permissions bind it as they bind any user.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from index.store import read_meta

__all__ = [
    "FORBIDDEN",
    "MEMORY_CEILING",
    "Run",
    "forbidden_characters",
    "index_documents",
    "kill_running",
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

MEMORY_CEILING = 2 * 1024**3
"""Address space any newsdesk process may take (RLIMIT_AS)."""

_SUPERVISOR = r"""
import ctypes, json, os, resource, signal, sys, time
result, ceiling, drop, rss_limit, timeout = sys.argv[1:6]
ceiling, rss_limit, timeout = int(ceiling), int(rss_limit), float(timeout)
command = sys.argv[6:]
started = time.monotonic()
child = os.fork()
if child == 0:
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    if drop == "1":
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                os._exit(125)
    os.execv(command[0], command)
timed_out = over_memory = False
while True:
    pid, status = os.waitpid(child, os.WNOHANG)
    if pid:
        break
    elapsed = time.monotonic() - started
    if rss_limit:
        try:
            with open(f"/proc/{child}/status") as stream:
                for line in stream:
                    if line.startswith("VmHWM:") and int(line.split()[1]) > rss_limit:
                        over_memory = True
        except (OSError, ValueError):
            pass
    timed_out = elapsed > timeout
    if timed_out or over_memory:
        os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        break
    time.sleep(0.02 if elapsed < 2 else 0.1)
with open(result, "w") as stream:
    json.dump(
        {
            "returncode": os.waitstatus_to_exitcode(status),
            "seconds": time.monotonic() - started,
            "max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            "timed_out": timed_out,
            "over_memory": over_memory,
        },
        stream,
    )
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
    """Peak resident memory (the supervisor's ~10 MB is the floor)."""
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
        if not key.startswith(("NEWSDESK_", "XDG_")) and key != "COLUMNS"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        COLUMNS="100",
        # Strict UTF-8, as Python's stdout is on a desktop with a UTF-8 locale
        # (en_US.UTF-8); under C.UTF-8 it would quietly use surrogateescape.
        PYTHONIOENCODING="utf-8",
    )
    return env


def _run(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    rss_limit_kb: int | None = None,
) -> Run:
    drop = os.geteuid() == 0
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        result = Path(scratch) / "result.json"
        supervisor = [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _SUPERVISOR,
            str(result),
            str(MEMORY_CEILING),
            "1" if drop else "0",
            str(rss_limit_kb or 0),
            str(timeout),
            *command,
        ]
        process = subprocess.Popen(
            supervisor,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        with _LIVE_LOCK:
            _LIVE.add(process)
        try:
            process.wait(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(process)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "surrogateescape")
        stderr = err.read().decode("utf-8", "surrogateescape")
        try:
            facts: dict[str, Any] = json.loads(result.read_text())
        except (OSError, ValueError):
            facts = {"returncode": -9, "seconds": timeout, "max_rss_kb": 0}
            facts["timed_out"] = True
    return Run(
        tuple(command[3:]) if command[:3] == _NEWSDESK else tuple(command),
        int(facts["returncode"]),
        stdout,
        stderr,
        float(facts["seconds"]),
        int(facts["max_rss_kb"]),
        bool(facts.get("timed_out")),
        bool(facts.get("over_memory")),
    )


_NEWSDESK = [sys.executable, "-m", "tui.cli"]

# Supervisors run in sessions of their own (so that one kill reaches newsdesk
# too), which also keeps Ctrl-C from reaching them: `kill_running` does.
_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


def kill_running() -> None:
    """Kill every newsdesk process still running (the session is ending)."""
    with _LIVE_LOCK:
        for process in _LIVE:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


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
