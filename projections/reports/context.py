"""What every part of one report is built from, and small readers of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ledger.sealed import Sealed
from projections import queries

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.policy import Policy
    from ledger.subject import SubjectState
    from projections.reports.model import Language

__all__ = [
    "Context",
    "day",
    "findings_by_version",
    "latest_switches",
    "moment",
    "open_sealed",
]


def open_sealed(
    ledger: Ledger, subject: UUID, category: str, sealed_json: str | None
) -> str | None:
    """A stored value in clear, or None when it is erased (key destroyed)."""
    sealed = None if sealed_json is None else Sealed.model_validate_json(sealed_json)
    return ledger.open_or_none(subject, category, sealed)


def latest_switches(rows: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The switch in force per name (rows come oldest first), with its start."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["kind"] == kind:
            previous = latest.get(row["name"])
            since = row["occurred_at"]
            if previous is not None and previous["active"] == row["active"]:
                since = previous["since"]
            latest[row["name"]] = {**row, "since": since}
    return latest


@dataclass(frozen=True)
class Context:
    """What every part of one report is built from."""

    ledger: Ledger
    policy: Policy
    subject: UUID
    lang: Language
    found: dict[str, Any]
    disclosures: list[dict[str, Any]]
    findings: dict[int, list[dict[str, Any]]]
    today: date
    _state: list[SubjectState] = field(default_factory=list)

    @property
    def state(self) -> SubjectState:
        """The subject's state from its events, read once per report."""
        if not self._state:
            self._state.append(self.ledger.load(self.subject))
        return self._state[0]


def findings_by_version(
    ledger: Ledger, subject_id: UUID
) -> dict[int, list[dict[str, Any]]]:
    """The findings of the subject, by the version of the event they judge."""
    found: dict[int, list[dict[str, Any]]] = {}
    for row in queries.findings(ledger.database, str(subject_id)):
        found.setdefault(int(row["about_version"]), []).append(row)
    return found


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
