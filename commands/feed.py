"""JSON-lines feeds, and how a bulk run (a feed or a CSV import) ends.

A feed is read as bytes and decoded line by line: a line that is not UTF-8
(a Latin-1 file, a bad byte mid-feed) is a rejected line like a malformed
one, and the lines around it are recorded. A line without a ``command_id``
gets one derived from its text ("line:" + SHA-256 of the stripped line), so
running the same feed again, or a feed that repeats lines already sent, is
a no-op for those lines: each is acknowledged as a duplicate. Two identical
lines mean one command sent twice (give each its own ``command_id`` if two
identical events truly happened).

Whatever happens after the first save, what was recorded stays and is
reported (commands.usecases.records checkpoints it; the CLI says so, and a
summary that cannot be printed, a closed pipe, gives exit 74, never a
rollback). SIGINT, SIGTERM and SIGHUP, caught by `Interruption`, end the run
after the batch in progress, which is saved: exit 128 + the signal.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commands.models import parse_command
from ledger.errors import KirjuriError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from types import FrameType, TracebackType

    from commands.service import BatchReport, Kirjuri
    from projections.runner import Progress

__all__ = ["FeedRun", "Interruption", "apply_feed", "line_commands"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class FeedRun:
    """What a bulk run recorded, by line."""

    recorded: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    findings: int = 0
    last: int = 0  # the number of the last line recorded
    failure: Exception | None = None  # the run could not go on
    done_lines: Sequence[int] = field(default_factory=list)  # recorded now
    duplicate_lines: Sequence[int] = field(default_factory=list)  # before
    followed: int = 0  # events a follower process applied to the read models

    @classmethod
    def of(cls, done: BatchReport, rejected: list[tuple[int, str]]) -> FeedRun:
        return cls(
            recorded=done.recorded,
            duplicates=len(done.duplicates),
            rejected=sorted({*rejected, *done.rejected}),
            findings=done.findings,
            last=done.last,
            failure=done.failure,
            done_lines=done.done.numbers(),
            duplicate_lines=done.duplicates.numbers(),
            followed=done.followed,
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


def line_commands(
    source: Iterable[bytes | str],
    rejected: list[tuple[int, str]],
    stop: Callable[[], bool] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Numbered commands of a feed; bad lines go to `rejected`."""
    for number, raw in enumerate(source, 1):
        if stop is not None and stop():
            return
        try:
            text = (raw if isinstance(raw, str) else raw.decode("utf-8")).strip()
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
    source: Iterable[bytes | str],
    *,
    batch_size: int = 500,
    stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> FeedRun:
    """Record a feed's commands in batches of one save each."""
    rejected: list[tuple[int, str]] = []
    done = kirjuri.execute_many(
        line_commands(source, rejected, stop),
        batch_size=batch_size,
        progress=progress,
        stop=stop,
    )
    return FeedRun.of(done, rejected)
