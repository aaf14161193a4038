"""Recording in bulk: a JSON-lines feed and a CRM export, then a checkpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands import models
from commands.importer import import_contacts
from commands.usecases.views import FeedReport, ImportSummary
from ledger.errors import InvalidCommand, KirjuriError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path
    from typing import TextIO

    from commands.service import Kirjuri
    from projections.runner import Progress

__all__ = ["apply_feed", "import_csv"]


def _feed_commands(
    lines: Iterable[str], errors: list[tuple[int, str]]
) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            yield number, models.parse_command(line)
        except KirjuriError as err:
            errors.append((number, str(err)))


def _auto_checkpoint(kirjuri: Kirjuri) -> int | None:
    """Sign the tree after a batch, unless KIRJURI_AUTO_CHECKPOINT=no."""
    if not kirjuri.settings.auto_checkpoint:
        return None
    return kirjuri.checkpoint().checkpoint.size


def _check_keys(kirjuri: Kirjuri) -> None:
    """Load every key the run will need before it writes anything: the
    master key is loaded at open; the signing key signs at the end."""
    if kirjuri.settings.auto_checkpoint:
        kirjuri.signer()


def apply_feed(
    kirjuri: Kirjuri, lines: Iterable[str], batch_size: int, progress: Progress | None
) -> FeedReport:
    """Commands from JSON lines, in batches of one save each. A malformed
    line is reported with its number and writes nothing; the others are
    recorded."""
    if batch_size < 1:
        raise InvalidCommand("batch_size", "must be 1 or more")
    _check_keys(kirjuri)
    parse_errors: list[tuple[int, str]] = []
    report = kirjuri.execute_many(
        _feed_commands(lines, parse_errors), batch_size=batch_size, progress=progress
    )
    if progress is not None:
        progress.finish()
    return FeedReport(
        recorded=report.recorded,
        rejected=tuple(sorted([*parse_errors, *report.rejected])),
        findings=report.findings,
        checkpoint=_auto_checkpoint(kirjuri),
    )


def import_csv(  # noqa: PLR0917 - one import's choices, passed through once
    kirjuri: Kirjuri,
    source: Path | TextIO,
    origin: str | None,
    purposes: tuple[str, ...],
    reported_by: str,
    progress: Progress | None,
) -> ImportSummary:
    _check_keys(kirjuri)
    report = import_contacts(
        kirjuri,
        source,
        source=origin,
        purposes=purposes,
        reported_by=reported_by,
        progress=progress,
    )
    return ImportSummary(
        registered=report.registered,
        updated=report.updated,
        rejected=tuple(report.rejected),
        findings=report.findings,
        checkpoint=_auto_checkpoint(kirjuri),
    )
