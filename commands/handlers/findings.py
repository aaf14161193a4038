"""Acknowledging a finding: a new event beside it on the same stream (the
finding itself never changes)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from commands.handlers.draft import Outcome, draft_for
from ledger import events as ev
from ledger.errors import InvalidCommand, UnknownFinding
from projections import queries

if TYPE_CHECKING:
    from commands import models as m
    from ledger.run import Run


class _OnSubject:
    """The command seen with the subject its finding belongs to."""

    def __init__(self, command: Any, subject: str) -> None:
        self._command = command
        self.subject = subject

    def __getattr__(self, name: str) -> Any:
        return getattr(self._command, name)


def acknowledge(command: m.AcknowledgeFinding, run: Run) -> Outcome:
    found = queries.finding(run.ledger.database, command.finding_id)
    if found is None:
        raise UnknownFinding(command.finding_id)
    draft = draft_for(run, _OnSubject(command, found["subject_id"]))
    if command.at < datetime.fromisoformat(found["recorded_at"]):
        raise InvalidCommand("at", "is before the finding was recorded")
    draft.add(
        ev.FindingAcknowledged,
        finding_id=command.finding_id,
        finding_version=found["version"],
        note=command.note,
    )
    return draft.commit()
