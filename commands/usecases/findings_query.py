"""Findings narrowed the way a DPO looks for them: by rule, person,
recipient and day. A finding about a disclosure or transfer names its
recipient through the disclosure it flagged (same subject, same version)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from commands.usecases import window
from commands.usecases.views import FindingRow
from ledger.clock import local_date
from ledger.errors import InvalidCommand
from projections import queries

if TYPE_CHECKING:
    from uuid import UUID

    from commands.usecases.identities import Caller
    from ledger.application import Ledger

__all__ = ["FindingsFilter", "RecipientFinding", "findings_where"]


@dataclass(frozen=True)
class FindingsFilter:
    rule: str | None = None
    subject: UUID | None = None
    recipient: str | None = None
    since: date | None = None  # days in the ledger's zone, both included
    until: date | None = None


class RecipientFinding(FindingRow):
    """A finding with the recipient of the processing it flagged, if any."""

    recipient: str | None = None


def findings_where(
    ledger: Ledger, wanted: FindingsFilter, caller: Caller | None = None
) -> list[RecipientFinding]:
    """The findings wanted (a regulator's: of its subjects and window)."""
    if wanted.since and wanted.until and wanted.since > wanted.until:
        raise InvalidCommand("since", "is after until")
    if wanted.recipient is not None:
        try:  # a misspelt recipient would match nothing: refused
            ledger.policy.recipient(wanted.recipient)
        except KeyError:
            raise InvalidCommand("recipient", "not in the policy") from None
    database = ledger.database
    rows = queries.findings(
        database, None if wanted.subject is None else str(wanted.subject)
    )
    recipients: dict[str, dict[int, str]] = {}
    found = []
    for row in rows:
        if wanted.rule is not None and row["rule"] != wanted.rule:
            continue
        day = local_date(_moment(row["occurred_at"]))
        if (wanted.since and day < wanted.since) or (
            wanted.until and day > wanted.until
        ):
            continue
        subject = row["subject_id"]
        if subject not in recipients:
            recipients[subject] = {
                d["version"]: d["recipient"]
                for d in queries.disclosures_of(database, subject)
            }
        recipient = recipients[subject].get(row["about_version"])
        if wanted.recipient is not None and recipient != wanted.recipient:
            continue
        if caller is not None and caller.subjects and subject not in caller.subjects:
            continue
        found.append(RecipientFinding.model_validate({**row, "recipient": recipient}))
    seen: list[FindingRow] = list(found)
    return [r for r in window.findings(caller, seen) if isinstance(r, RecipientFinding)]


def _moment(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
