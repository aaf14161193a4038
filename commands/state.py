"""``kirjuri state``: a subject as it stood at a moment, from its events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.clock import local_text, now
from ledger.errors import UnknownSubject

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.sealed import Sealed
    from ledger.subject import SubjectState, Timeline

__all__ = ["describe_state"]


def _open(
    ledger: Ledger, subject: UUID, category: str, sealed: Sealed | None
) -> str | None:
    if sealed is None:
        return None
    value = ledger.open_or_none(subject, category, sealed)
    return "(erased)" if value is None else value


def _switches(timelines: dict[str, Timeline], at: datetime) -> dict[str, Any]:
    return {
        name: {"in_force": timeline.at(at), "since": local_text(timeline.since(at))}
        for name, timeline in sorted(timelines.items())
    }


def describe_state(
    ledger: Ledger, subject: UUID, as_of: datetime | None, known_at: datetime | None
) -> dict[str, Any]:
    """Values held, consents, objections, restriction and status at a moment."""
    state: SubjectState = ledger.state_as_of(subject, as_of, known_at)
    if state.registered_at is None:
        raise UnknownSubject(str(subject), "not registered by then")
    at = as_of or now()
    values = {
        category: {
            "value": _open(ledger, subject, category, held.value),
            "source": held.source,
            "since": local_text(held.occurred_at),
        }
        for category, held in sorted(state.current_values().items())
    }
    return {
        "subject": str(subject),
        # Moments as ISO text in the ledger's zone, with its offset.
        "as_of": local_text(as_of),
        "known_at": local_text(known_at),
        "status": state.status(at),
        "company": _open(ledger, subject, "company", state.company_name),
        "values": values,
        "consents": _switches(state.consents, at),
        "objections": _switches(state.objections, at),
        "restricted": state.restriction.at(at),
    }
