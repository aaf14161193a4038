"""Recording in bulk: a JSON-lines feed and a CRM export, then a checkpoint.

Whatever happens after the first save (a bad line, a signal, a database
failure mid-run), what was recorded stays, is checkpointed and is reported:
the caller says so and picks the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.persistence import PersistenceError

from commands import feed
from commands.handlers import Outcome
from commands.importer import import_contacts
from commands.usecases.views import FeedReport, FindingView, ImportSummary, LineOutcome
from ledger import events as ev
from ledger.compliance import Finding
from ledger.errors import InvalidCommand, KirjuriError
from projections import queries

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import BinaryIO, TextIO

    from commands.service import Kirjuri
    from ledger.application import Ledger
    from projections.runner import Progress

__all__ = ["apply_feed", "import_csv", "original"]

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


def original(ledger: Ledger, receipt: ev.SubjectEvent) -> Outcome:
    """A command already recorded, answered as the first time: its subject,
    request, events and findings, marked a duplicate (nothing is written)."""
    assert isinstance(receipt, ev.CommandReceived)
    outcome = Outcome(receipt.subject_id, request_id=receipt.request_id, duplicate=True)
    if receipt.versions:
        first, last = min(receipt.versions), max(receipt.versions)
        found = ledger.events.get(receipt.subject_id, gt=first - 1, lte=last)
        outcome.events = [
            cast("ev.SubjectEvent", e)
            for e in found
            if e.originator_version in receipt.versions
        ]
        outcome.findings = [
            Finding(e.rule, e.detail)
            for e in outcome.events
            if isinstance(e, ev.FindingRaised)
        ]
    return outcome


def _line_outcomes(
    kirjuri: Kirjuri, lines: list[bytes | str], report: feed.FeedRun
) -> tuple[LineOutcome, ...]:
    """Each line's answer: what it recorded (now or before, by its command
    id's receipt), or why it was refused."""
    ids = {n: c.command_id for n, c in feed.line_commands(lines, [])}
    receipts = kirjuri.ledger.receipts(["command:" + i for i in ids.values()])
    kirjuri.catch_up()
    database = kirjuri.ledger.database
    answers = [
        LineOutcome(line=n, status="rejected", error=e) for n, e in report.rejected
    ]
    for status, numbers in (
        ("recorded", report.done_lines),
        ("duplicate", report.duplicate_lines),
    ):
        for number in numbers:
            receipt = receipts.get("command:" + ids[number])
            if not isinstance(receipt, ev.CommandReceived):
                answers.append(LineOutcome(line=number, status=status))
                continue
            subject = str(receipt.subject_id)
            answers.append(
                LineOutcome(
                    line=number,
                    status=status,
                    subject=subject,
                    request=receipt.request_id,
                    sequences=tuple(
                        queries.event_sequences(database, subject, receipt.versions)
                    ),
                    findings=tuple(
                        FindingView(rule=f["rule"], detail=f["detail"])
                        for f in queries.findings_at(
                            database, subject, receipt.versions
                        )
                    ),
                )
            )
    return tuple(sorted(answers, key=lambda a: a.line))


def apply_feed(  # noqa: PLR0917 - apply's arguments, passed once
    kirjuri: Kirjuri,
    lines: Iterable[bytes | str],
    batch_size: int,
    progress: Progress | None,
    stop: Callable[[], bool] | None = None,
    per_line: bool = False,
) -> FeedReport:
    """Commands from JSON lines, in batches of one save each (see
    commands.feed). A malformed line is reported with its number and writes
    nothing; the others are recorded. ``per_line``: each line's answer too
    (its events' sequence numbers and findings, a duplicate's original)."""
    if batch_size < 1:
        raise InvalidCommand("batch_size", "must be 1 or more")
    _check_keys(kirjuri)
    kept = list(lines) if per_line else []
    if per_line:
        lines = kept
    report = feed.apply_feed(
        kirjuri, lines, batch_size=batch_size, stop=stop, progress=progress
    )
    if progress is not None:
        progress.finish()
    outcomes = _line_outcomes(kirjuri, kept, report) if per_line else ()
    return FeedReport(
        lines=outcomes,
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
