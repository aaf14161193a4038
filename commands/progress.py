"""Progress of long work, drawn on a terminal only (stderr), with an ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["TerminalProgress", "progress_for"]


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class TerminalProgress:
    """A one-line bar: label, count, total, rate and time left; redrawn at
    most 10 times a second. With no total (a stream) it shows count and rate."""

    def __init__(self, label: str, stream: TextIO = sys.stderr) -> None:
        self.label = label
        self.stream = stream
        self.total = 0
        self._started = time.monotonic()
        self._drawn = 0.0

    def start(self, total: int) -> None:
        self.total = total
        self._started = time.monotonic()
        self.advance(0)

    def advance(self, done: int) -> None:
        now = time.monotonic()
        if now - self._drawn < 0.1 and (not self.total or done < self.total):
            return
        self._drawn = now
        self.stream.write("\r" + self.line(done, now - self._started))
        self.stream.flush()

    def line(self, done: int, elapsed: float) -> str:
        rate = done / max(elapsed, 1e-6)
        if not self.total:
            return f"{self.label} {done} ({rate:,.0f}/s)"
        width = 30
        filled = min(width, int(width * done / self.total))
        bar = "#" * filled + "-" * (width - filled)
        left = max(self.total - done, 0)
        eta = f", ETA {_duration(left / rate)}" if done and left else ""
        return f"{self.label} [{bar}] {done}/{self.total} ({rate:,.0f}/s{eta})"

    def finish(self) -> None:
        if self.total:
            self._drawn = 0.0
            self.advance(self.total)
        self.stream.write("\n")
        self.stream.flush()


def progress_for(
    label: str, stream: TextIO = sys.stderr, *, quiet: bool = False
) -> TerminalProgress | None:
    """A bar on a terminal; none when quiet or when stderr is not one."""
    return None if quiet or not stream.isatty() else TerminalProgress(label, stream)
