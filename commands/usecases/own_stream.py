"""Facts that only need a stream's next version: the ledger's own (accounts,
sign-ins, tokens) and a person's consultations.

Any writer may have taken that version first: two people signing in at
once, or a token created while someone signs in. Such a clash is not a
conflict of facts, so the fact is appended again at the new next version
instead of being refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ledger.errors import ConcurrencyConflict
from ledger.keys import LEDGER_SUBJECT

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.events import SubjectEvent

__all__ = ["record_next", "record_own"]

E = TypeVar("E", bound="SubjectEvent")

# Each retry follows a writer that just won, so a handful always suffices
# short of a storm of writers; past it the conflict reaches the caller.
ATTEMPTS = 8


def record_own(ledger: Ledger, now: datetime, make: Callable[[dict[str, Any]], E]) -> E:
    """Append to the ledger's own stream the event ``make`` builds from a
    header, again at the next version if another writer took it first."""
    return record_next(ledger, LEDGER_SUBJECT, now, make)


def record_next(
    ledger: Ledger, stream: UUID, now: datetime, make: Callable[[dict[str, Any]], E]
) -> E:
    """Append the event ``make`` builds from a header (stream, next version,
    times), again at the next version if another writer took it first. Only
    for facts that stand whatever came before them on the stream."""
    for attempt in range(1, ATTEMPTS + 1):
        event = make(
            {
                "originator_id": stream,
                "originator_version": _next_version(ledger, stream),
                "occurred_at": now,
                "recorded_at": now,
            }
        )
        try:
            ledger.append([event])
        except ConcurrencyConflict:
            if attempt == ATTEMPTS:
                raise
            continue
        return event
    raise AssertionError("unreachable")  # pragma: no cover


def _next_version(ledger: Ledger, stream: UUID) -> int:
    """One row read, not the stream: the ledger's grows with every sign-in."""
    last = list(ledger.events.get(stream, desc=True, limit=1))
    return last[0].originator_version + 1 if last else 1
