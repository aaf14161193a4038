"""Findings and their acknowledgements: a person takes note of a finding
with a note of what was done. The acknowledgement is a new event on the
finding's stream; the finding itself never changes. Notes are never logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands.models import parse_command
from commands.usecases.views import FindingAcknowledged, FindingRow
from ledger.errors import UnknownFinding
from projections import queries

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from commands.service import Kirjuri
    from ledger.application import Ledger

__all__ = ["acknowledge", "finding", "findings"]


def findings(
    ledger: Ledger, subject: UUID | None, *, unacknowledged: bool = False
) -> list[FindingRow]:
    rows = queries.findings(
        ledger.database,
        None if subject is None else str(subject),
        unacknowledged=unacknowledged,
    )
    return [FindingRow.model_validate(row) for row in rows]


def finding(ledger: Ledger, finding_id: int) -> FindingRow:
    row = queries.finding(ledger.database, finding_id)
    if row is None:
        raise UnknownFinding(finding_id)
    return FindingRow.model_validate(row)


def acknowledge(
    kirjuri: Kirjuri,
    finding_id: int,
    note: str,
    *,
    by: str,
    command_id: str | None,
    at: datetime | None,
) -> FindingAcknowledged:
    """Record the acknowledgement (once per command id), then read it back."""
    fields: dict[str, Any] = {
        "kind": "acknowledge-finding",
        "finding_id": finding_id,
        "note": note,
        "reported_by": by,
        "command_id": command_id,
    }
    if at is not None:
        fields["at"] = at
    command = parse_command(fields)
    kirjuri.catch_up()  # the finding may have been raised a moment ago
    outcome = kirjuri.execute(command)
    sequences = kirjuri.sequences(outcome)
    return FindingAcknowledged(
        finding=finding(kirjuri.ledger, finding_id),
        duplicate=outcome.duplicate,
        sequences=tuple(sequences),
    )
