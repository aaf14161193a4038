"""Progress of long work, drawn on a terminal only (stderr)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["TerminalProgress", "progress_for"]


class TerminalProgress:
    """A one-line bar: label, count, total, rate; redrawn at most 10 times a second."""

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
        if now - self._drawn < 0.1 and done < self.total:
            return
        self._drawn = now
        rate = done / max(now - self._started, 1e-6)
        width = 30
        filled = int(width * done / self.total) if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{self.total} ({rate:,.0f}/s)")
        self.stream.flush()

    def finish(self) -> None:
        self.advance(self.total)
        self.stream.write("\n")
        self.stream.flush()


def progress_for(label: str, stream: TextIO = sys.stderr) -> TerminalProgress | None:
    return TerminalProgress(label, stream) if stream.isatty() else None
