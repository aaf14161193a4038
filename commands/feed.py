"""JSON-lines feeds, and how a bulk run (a feed or a CSV import) ends.

A feed is read as bytes and decoded line by line: a line that is not UTF-8
(a Latin-1 file, a bad byte mid-feed) is a rejected line like a malformed
one, and the lines around it are recorded. A line without a ``command_id``
gets one derived from its text ("line:" + SHA-256 of the stripped line), so
running the same feed again, or a feed that repeats lines already sent, is
a no-op for those lines: each is acknowledged as a duplicate. Two identical
lines mean one command sent twice (give each its own ``command_id`` if two
identical events truly happened).

Whatever happens after the first save, what was recorded is checkpointed
and the summary is printed; a summary that cannot be printed (a closed
pipe) gives exit 74, never a rollback. SIGINT, SIGTERM and SIGHUP end the
run after the batch in progress, which is saved: exit 128 + the signal.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import structlog
from eventsourcing.persistence import PersistenceError

from commands.models import parse_command
from ledger.errors import InvalidCommand, KirjuriError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType, TracebackType

    from commands.service import BatchReport, Kirjuri
    from projections.runner import Progress

__all__ = [
    "EX_IOERR",
    "FeedReport",
    "Interruption",
    "apply_feed",
    "conclude",
    "line_commands",
    "open_input",
]

log = structlog.get_logger("kirjuri.feed")

EX_IOERR = 74
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class FeedReport:
    """What a bulk run recorded, by line."""

    recorded: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    findings: int = 0
    last: int = 0  # the number of the last line recorded
    failure: Exception | None = None  # the run could not go on

    @classmethod
    def of(cls, done: BatchReport, rejected: list[tuple[int, str]]) -> FeedReport:
        return cls(
            recorded=done.recorded,
            duplicates=len(done.duplicates),
            rejected=sorted({*rejected, *done.rejected}),
            findings=done.findings,
            last=done.last,
            failure=done.failure,
        )

    def summary(self) -> str:
        return (
            f"recorded {self.recorded}, duplicates {self.duplicates}, "
            f"rejected {len(self.rejected)}, findings {self.findings}"
        )


class Interruption:
    """SIGINT, SIGTERM and SIGHUP, caught for the length of a run: the run
    asks (calls it) between lines and batches, and ends cleanly."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: dict[int, Any] = {}

    def __call__(self) -> bool:
        return self.signal is not None

    def _caught(self, signum: int, _: FrameType | None) -> None:
        self.signal = signum

    def __enter__(self) -> Interruption:
        with contextlib.suppress(ValueError):  # not the main thread: no handlers
            for signum in _SIGNALS:
                self._previous[signum] = signal.signal(signum, self._caught)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    @property
    def exit_code(self) -> int | None:
        return None if self.signal is None else 128 + self.signal


def open_input(name: str) -> BinaryIO:
    """A file given on the command line, as bytes; ``-`` is stdin."""
    if name == "-":
        return sys.stdin.buffer
    try:
        return Path(name).open("rb")
    except OSError as err:
        raise InvalidCommand("file", f"{name}: {err.strerror}") from err


def line_commands(
    source: BinaryIO,
    rejected: list[tuple[int, str]],
    stop: Callable[[], bool] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Numbered commands of a feed; bad lines go to `rejected`."""
    for number, raw in enumerate(source, 1):
        if stop is not None and stop():
            return
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as err:
            rejected.append((number, f"not UTF-8 text (byte {err.start + 1})"))
            continue
        if not text or text.startswith("#"):
            continue
        try:
            command = parse_command(text)
        except KirjuriError as err:
            rejected.append((number, str(err)))
            continue
        if command.command_id is None:
            digest = hashlib.sha256(text.encode()).hexdigest()
            command = command.model_copy(update={"command_id": "line:" + digest})
        yield number, command


def apply_feed(
    kirjuri: Kirjuri,
    source: BinaryIO,
    *,
    batch_size: int = 500,
    stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> FeedReport:
    """Record a feed's commands in batches of one save each."""
    rejected: list[tuple[int, str]] = []
    done = kirjuri.execute_many(
        line_commands(source, rejected, stop),
        batch_size=batch_size,
        progress=progress,
        stop=stop,
    )
    return FeedReport.of(done, rejected)


def conclude(
    kirjuri: Kirjuri,
    report: FeedReport,
    summary: str,
    interruption: Interruption,
    where: Callable[[int], str],
) -> int:
    """Checkpoint what was recorded, then say so; the exit code.

    Output that cannot be written (a closed pipe) never undoes a record:
    it is dropped and the exit code is 74."""
    lines = [f"kirjuri: {where(number)}: {e}" for number, e in report.rejected]
    if interruption.signal is not None:
        name = signal.Signals(interruption.signal).name
        lines.append(
            f"kirjuri: {name}: stopped after line {report.last} (the last recorded);"
            " run the same file again to go on"
        )
    if report.failure is not None:
        lines.append(
            f"kirjuri: error: {report.failure}; stopped after line {report.last}"
            " (the last recorded): run the same file again to go on"
        )
    if kirjuri.settings.auto_checkpoint:
        try:
            stored = kirjuri.checkpoint()
            lines.append(f"checkpoint {stored.checkpoint.size} signed")
        except (PersistenceError, KirjuriError, OSError) as err:
            lines.append(f"kirjuri: error: checkpoint not signed: {err}")
    printed = _print(lines, sys.stderr) and _print([summary], sys.stdout)
    if interruption.exit_code is not None:
        return interruption.exit_code
    if isinstance(report.failure, KirjuriError):
        return report.failure.exit_code
    if report.failure is not None or not printed:
        return EX_IOERR
    return InvalidCommand.exit_code if report.rejected else 0


def _print(lines: list[str], stream: Any) -> bool:
    try:
        for line in lines:
            print(line, file=stream)
        stream.flush()
    except (OSError, ValueError):
        # A closed pipe: nothing more is written there, and the interpreter
        # must not fail flushing it again at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        return False
    return True
