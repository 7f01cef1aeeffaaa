"""Processes of a run: start pinned to a core, stop by id, and read CPU time and peak RSS from /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """The run cannot go on; the message says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Proc:
    """A process this harness started (in its own process group), pinned to one core."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to its group, then SIGKILL after `grace` seconds."""
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start(
    name: str,
    command: Sequence[str],
    core: int,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout_pipe: bool = False,
) -> Proc:
    """Start `command` under `taskset -c core` (taskset execs it, so the pid is the command's)."""
    with log.open("ab") as handle:
        popen = subprocess.Popen(
            ["taskset", "-c", str(core), *command],
            stdout=subprocess.PIPE if stdout_pipe else handle,
            stderr=handle,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
    return Proc(name, popen, log)


def wait_http(url: str, proc: Proc, timeout: float = 60.0) -> None:
    """Wait until GET `url` answers 200 (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise BenchError(f"{proc.name} stopped during start:\n{proc.tail()}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"{proc.name} did not answer {url} within {timeout:.0f} s:\n{proc.tail()}")


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (Hive Gateway may fork workers)."""
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                found.extend(int(child) for child in children)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process tree so far."""
    total = 0
    for member in descendants(pid):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{member}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of the process tree, in MiB."""
    total_kb = 0
    for member in descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


@dataclass(frozen=True)
class CpuSample:
    wall: float
    cpu: dict[int, float]  # pid -> CPU seconds

    @classmethod
    def take(cls, pids: Sequence[int]) -> CpuSample:
        return cls(time.monotonic(), {pid: cpu_seconds(pid) for pid in pids})

    def used_since(self, earlier: CpuSample, pid: int) -> float:
        return self.cpu[pid] - earlier.cpu[pid]
