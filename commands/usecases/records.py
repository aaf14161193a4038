"""Recording in bulk: a JSON-lines feed and a CRM export, then a checkpoint.

Whatever happens after the first save (a bad line, a signal, a database
failure mid-run), what was recorded stays, is checkpointed and is reported:
the caller says so and picks the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import PersistenceError

from commands import feed
from commands.importer import import_contacts
from commands.usecases.views import FeedReport, ImportSummary
from ledger.errors import InvalidCommand, KirjuriError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import BinaryIO, TextIO

    from commands.service import Kirjuri
    from projections.runner import Progress

__all__ = ["apply_feed", "import_csv"]

EX_IOERR = 74


def _auto_checkpoint(kirjuri: Kirjuri) -> dict[str, Any]:
    """Sign the tree after a run, unless KIRJURI_AUTO_CHECKPOINT=no; a
    checkpoint that cannot be signed (an altered log) is said, with its exit
    code, and never undoes the run."""
    if not kirjuri.settings.auto_checkpoint:
        return {"checkpoint": None}
    try:
        return {"checkpoint": kirjuri.checkpoint().checkpoint.size}
    except (PersistenceError, KirjuriError, OSError) as err:
        code = err.exit_code if isinstance(err, KirjuriError) else EX_IOERR
        return {
            "checkpoint": None,
            "checkpoint_error": str(err),
            "checkpoint_code": code,
        }


def _check_keys(kirjuri: Kirjuri) -> None:
    """Load every key the run will need before it writes anything: the
    master key is loaded at open; the signing key signs at the end."""
    if kirjuri.settings.auto_checkpoint:
        kirjuri.signer()


def _failure(err: Exception | None) -> dict[str, Any]:
    if err is None:
        return {}
    code = err.exit_code if isinstance(err, KirjuriError) else EX_IOERR
    return {"failure": str(err), "failure_code": code}


def apply_feed(
    kirjuri: Kirjuri,
    lines: Iterable[bytes | str],
    batch_size: int,
    progress: Progress | None,
    stop: Callable[[], bool] | None = None,
) -> FeedReport:
    """Commands from JSON lines, in batches of one save each (see
    commands.feed). A malformed line is reported with its number and writes
    nothing; the others are recorded."""
    if batch_size < 1:
        raise InvalidCommand("batch_size", "must be 1 or more")
    _check_keys(kirjuri)
    report = feed.apply_feed(
        kirjuri, lines, batch_size=batch_size, stop=stop, progress=progress
    )
    if progress is not None:
        progress.finish()
    return FeedReport(
        recorded=report.recorded,
        duplicates=report.duplicates,
        rejected=tuple(report.rejected),
        findings=report.findings,
        last=report.last,
        **_failure(report.failure),
        **_auto_checkpoint(kirjuri),
    )


def _bytes_of(source: Path | BinaryIO | TextIO) -> Iterator[bytes]:
    """A CSV's lines as bytes (a text stream, such as stdin, by its buffer)."""
    if isinstance(source, Path):
        try:
            handle = source.open("rb")
        except OSError as err:
            raise InvalidCommand("file", f"{source}: {err.strerror}") from err
        with handle:
            yield from handle
        return
    buffer = getattr(source, "buffer", None)
    if buffer is not None:
        yield from buffer
        return
    for line in source:
        yield line if isinstance(line, bytes) else line.encode()


def import_csv(  # noqa: PLR0917 - one import's choices, passed through once
    kirjuri: Kirjuri,
    source: Path | BinaryIO | TextIO,
    origin: str | None,
    purposes: tuple[str, ...],
    reported_by: str,
    progress: Progress | None,
    stop: Callable[[], bool] | None = None,
) -> ImportSummary:
    _check_keys(kirjuri)
    report = import_contacts(
        kirjuri,
        _bytes_of(source),
        source=origin,
        purposes=purposes,
        reported_by=reported_by,
        progress=progress,
        stop=stop,
    )
    return ImportSummary(
        registered=report.registered,
        updated=report.updated,
        duplicates=report.duplicates,
        rejected=tuple(report.rejected),
        findings=report.findings,
        last=report.last,
        **_failure(report.failure),
        **_auto_checkpoint(kirjuri),
    )
