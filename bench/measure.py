"""Measuring tools shared by the benchmarks: timings, memory, the machine.

Everything here reads `/proc` or the standard library; nothing needs psutil.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "Stats",
    "TreeSampler",
    "folder_bytes",
    "git_commit",
    "load_average",
    "machine",
    "rss_bytes",
    "run_child",
    "stats",
    "time_calls",
    "timed",
]

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stats:
    """Median and p95 of some timings, in seconds."""

    median: float
    p95: float
    n: int
    minimum: float = 0.0

    def as_json(self) -> dict[str, float | int]:
        return {
            "median": self.median,
            "p95": self.p95,
            "n": self.n,
            "min": self.minimum,
        }


def stats(samples: Sequence[float]) -> Stats:
    """Median and nearest-rank 95th percentile."""
    if not samples:
        return Stats(math.nan, math.nan, 0, math.nan)
    ordered = sorted(samples)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return Stats(
        statistics.median(ordered), ordered[rank - 1], len(ordered), ordered[0]
    )


def time_calls(call: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of `repeats` calls."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


Result = TypeVar("Result")


def timed(call: Callable[[], Result]) -> tuple[float, float, Result]:
    """Wall and CPU seconds of one call, and what it returned."""
    cpu = time.process_time()
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, time.process_time() - cpu, result


def _status_kb(pid: int | str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_bytes(pid: int | str = "self") -> tuple[int, int]:
    """(current, peak) resident memory of a process."""
    return _status_kb(pid, "VmRSS") * 1024, _status_kb(pid, "VmHWM") * 1024


def _children_of(pids: set[int]) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name in brackets may hold spaces.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) in pids:
            found.add(int(entry))
    return found


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        # Fields 14 and 15 (utime, stime), counted from 1 with the pid.
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (IndexError, ValueError):
        return 0.0


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class TreeSampler:
    """Samples the summed RSS of a process and all its descendants, and
    the CPU time each of them has used (last sample per process)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self.cpu_by_pid: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu(self) -> float:
        """CPU seconds of every process seen in the tree (a lower bound: the
        last tenth of a second of each process may be missed)."""
        return sum(self.cpu_by_pid.values())

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        rounds = 0
        tree = {self.pid}
        while not self._stop.is_set():
            # Listing /proc costs a few ms: look for new children now and then.
            if rounds % 5 == 0:
                tree = {self.pid}
                frontier = {self.pid}
                while frontier:
                    frontier = _children_of(frontier) - tree
                    tree |= frontier
            rounds += 1
            total = sum(_status_kb(pid, "VmRSS") for pid in tree) * 1024
            for pid in tree:
                used = _cpu_seconds(pid)
                if used:
                    self.cpu_by_pid[pid] = max(used, self.cpu_by_pid.get(pid, 0.0))
            if total > self.peak:
                self.peak, self.peak_processes = total, len(tree)
            self._stop.wait(self.interval)


@dataclass
class ChildResult:
    """A child process's JSON answer and what it cost."""

    answer: dict[str, Any]
    wall: float
    peak_tree_rss: int
    cpu: float
    """User plus system seconds of the child and the children it waited for."""
    tree_cpu: float
    """CPU seconds of every process in the child's tree, sampled from /proc
    (includes pool workers the child never waits for itself)."""


def run_child(args: Sequence[str], env: dict[str, str] | None = None) -> ChildResult:
    """Run `python ARGS` and read the JSON object on its last stdout line.

    Stderr passes through, so a child's progress shows. Raises when the child
    fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )
    with TreeSampler(child.pid) as sampler:
        out, _ = child.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed with status {child.returncode}")
    lines = [line for line in out.splitlines() if line.strip()]
    answer = json.loads(lines[-1]) if lines else {}
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ChildResult(answer, wall, sampler.peak, cpu, max(cpu, sampler.cpu))


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _git(*args: str) -> str:
    """What `git ARGS` in the repository prints, stripped."""
    return subprocess.run(
        ["git", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def git_commit() -> str:
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, str]:
    """CPU model, cores, memory, Python and OS."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": str(os.cpu_count() or "?"),
        "memory": memory,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }
