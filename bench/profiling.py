"""Sampling profiles of our gateway under load (py-spy), summarised by self and total time."""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .config import BenchConfig
from .procs import Proc, start

RATE = 100  # samples per second: enough for a 10 s profile, light on the gateway
ENTRY_SHARE = 0.95  # frames on (nearly) every stack (uvicorn.run, the event loop) say nothing: left out


@dataclass(frozen=True)
class ProfileRow:
    function: str
    self_pct: float
    total_pct: float


@dataclass(frozen=True)
class Profile:
    scenario: str
    samples: int
    seconds: float
    by_self: list[ProfileRow]
    by_total: list[ProfileRow]

    @property
    def busy(self) -> float:
        """Share of the wall time the gateway was running Python (py-spy leaves out idle samples)."""
        return self.samples / (RATE * self.seconds) if self.seconds else 0.0


def start_profiler(config: BenchConfig, pid: int, seconds: float, out: Path) -> Proc:
    """py-spy on the other core, recording `pid` for `seconds` into a collapsed-stack file."""
    py_spy = Path(sys.executable).parent / "py-spy"
    command = [str(py_spy), "record", "--pid", str(pid), "--duration", str(round(seconds)), "--rate", str(RATE)]
    command += ["--format", "raw", "--nolineno", "--output", str(out)]
    return start("py-spy", command, config.other_core, out.with_suffix(".log"))


_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*)\)$")


def short_frame(frame: str) -> str:
    """`function (path)` as `path:function`, with the path cut to the package."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{match['function']}"


def summarise(scenario: str, raw: Path, seconds: float, top: int = 15) -> Profile:
    """Self time: the innermost frame of a sample; total time: every frame on its stack (once)."""
    self_counts: Counter[str] = Counter()
    total_counts: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [short_frame(f) for f in stack.split(";") if _FRAME.match(f)]
        if not frames:
            continue
        samples += count
        self_counts[frames[-1]] += count
        for frame in set(frames):
            total_counts[frame] += count

    def rows(counts: Counter[str]) -> list[ProfileRow]:
        ranked = [name for name, count in counts.most_common() if count < ENTRY_SHARE * samples]
        return [
            ProfileRow(name, 100 * self_counts[name] / samples, 100 * total_counts[name] / samples)
            for name in ranked[:top]
        ]

    return Profile(scenario, samples, seconds, rows(self_counts), rows(total_counts))
