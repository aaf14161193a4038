"""A data subject's state, folded from its events alone.

The fold keeps every switch (consent, objection, restriction, relationship)
as a timeline ordered by when it happened, so that a processing reported
late is judged by the state in force when it happened, and so that the state
"as of" any past date comes from the events, not from a projection.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import singledispatch
from typing import TYPE_CHECKING

from ledger import events as ev

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime
    from uuid import UUID

    from ledger.sealed import Sealed

__all__ = [
    "HeldValue",
    "RequestState",
    "SubjectState",
    "Timeline",
    "fold",
    "project_subject",
]


@dataclass
class Timeline:
    """(when, version, on) switches; the latest at or before a time wins."""

    entries: list[tuple[datetime, int, bool]] = field(default_factory=list)

    def add(self, at: datetime, version: int, on: bool) -> None:
        bisect.insort(self.entries, (at, version, on))

    def at(self, when: datetime) -> bool:
        index = bisect.bisect_right(self.entries, (when, 2**62, True))
        return index > 0 and self.entries[index - 1][2]

    def since(self, when: datetime) -> datetime | None:
        """When the switch in force at ``when`` was last turned on, if on."""
        index = bisect.bisect_right(self.entries, (when, 2**62, True))
        if index == 0 or not self.entries[index - 1][2]:
            return None
        start = index - 1
        while start > 0 and self.entries[start - 1][2]:
            start -= 1
        return self.entries[start][0]


@dataclass(frozen=True)
class HeldValue:
    category: str
    value: Sealed
    source: str
    occurred_at: datetime
    version: int
    rectified: bool


@dataclass
class RequestState:
    request_id: str
    request_type: ev.RequestType
    received_on: date
    due_on: date
    status: str = "open"
    # Reasons given in Finnish too, for Finnish answers.
    extension_reason_fi: str | None = None
    refusal_reason_fi: str | None = None
    # Art. 12(5): a reasoned decision that the request is excessive.
    excessive: tuple[str, str | None] | None = None


@dataclass
class SubjectState:
    id: UUID
    version: int = 0
    registered_at: datetime | None = None
    source: str = ""
    company_name: Sealed | None = None
    business_id: Sealed | None = None
    values: dict[str, list[HeldValue]] = field(default_factory=dict)
    consents: dict[str, Timeline] = field(default_factory=dict)
    objections: dict[str, Timeline] = field(default_factory=dict)
    restriction: Timeline = field(default_factory=Timeline)
    relationship: Timeline = field(default_factory=Timeline)
    left_at: datetime | None = None
    informed_at: datetime | None = None  # Art. 14, the first time
    requests: dict[str, RequestState] = field(default_factory=dict)
    hold: Timeline = field(default_factory=Timeline)
    last_activity: datetime | None = None
    erased_at: datetime | None = None
    destroyed: set[str] = field(default_factory=set)  # retention classes

    def consent_in_force(self, purpose: str, at: datetime) -> bool:
        timeline = self.consents.get(purpose)
        return timeline is not None and timeline.at(at)

    def objection_in_force(self, scope: ev.ObjectionScope, at: datetime) -> bool:
        timeline = self.objections.get(scope.value)
        return timeline is not None and timeline.at(at)

    def current_values(self) -> dict[str, HeldValue]:
        """The latest value of each category by when it happened."""
        return {
            category: max(held, key=lambda h: (h.occurred_at, h.version))
            for category, held in self.values.items()
        }

    def status(self, at: datetime) -> str:
        if self.left_at is not None and self.left_at <= at:
            return "left"
        if self.relationship.at(at):
            return "customer"
        if self.relationship.entries and self.relationship.entries[0][0] <= at:
            return "former_customer"
        return "prospect"


@singledispatch
def apply(event: ev.SubjectEvent, state: SubjectState) -> None:
    """Events that change nothing the policy checks (disclosures, findings)."""


@apply.register
def _(event: ev.LegalHoldPlaced, state: SubjectState) -> None:
    state.hold.add(event.occurred_at, event.originator_version, True)


@apply.register
def _(event: ev.LegalHoldReleased, state: SubjectState) -> None:
    state.hold.add(event.occurred_at, event.originator_version, False)


@apply.register
def _(event: ev.SubjectErased, state: SubjectState) -> None:
    state.erased_at = event.occurred_at
    state.destroyed.update(event.destroyed)


@apply.register
def _(event: ev.RetentionExpired, state: SubjectState) -> None:
    state.destroyed.update(event.destroyed)


@apply.register
def _(event: ev.SubjectRegistered, state: SubjectState) -> None:
    state.registered_at = event.occurred_at
    state.source = event.source
    state.company_name = event.company_name
    state.business_id = event.business_id


@apply.register
def _(event: ev.DataCollected, state: SubjectState) -> None:
    _hold(state, event.category, event.value, event.source, event, rectified=False)


@apply.register
def _(event: ev.DataRectified, state: SubjectState) -> None:
    _hold(state, event.category, event.value, event.source, event, rectified=True)


def _hold(
    state: SubjectState,
    category: str,
    value: Sealed,
    source: str,
    event: ev.SubjectEvent,
    *,
    rectified: bool,
) -> None:
    state.values.setdefault(category, []).append(
        HeldValue(
            category,
            value,
            source,
            event.occurred_at,
            event.originator_version,
            rectified,
        )
    )


@apply.register
def _(event: ev.ConsentGiven, state: SubjectState) -> None:
    _switch(state.consents, event.purpose, event, on=True)


@apply.register
def _(event: ev.ConsentWithdrawn, state: SubjectState) -> None:
    _switch(state.consents, event.purpose, event, on=False)


@apply.register
def _(event: ev.ObjectionRecorded, state: SubjectState) -> None:
    _switch(state.objections, event.scope.value, event, on=True)


@apply.register
def _(event: ev.ObjectionLifted, state: SubjectState) -> None:
    _switch(state.objections, event.scope.value, event, on=False)


def _switch(
    timelines: dict[str, Timeline], key: str, event: ev.SubjectEvent, *, on: bool
) -> None:
    timelines.setdefault(key, Timeline()).add(
        event.occurred_at, event.originator_version, on
    )


@apply.register
def _(event: ev.ProcessingRestricted, state: SubjectState) -> None:
    state.restriction.add(event.occurred_at, event.originator_version, True)


@apply.register
def _(event: ev.RestrictionLifted, state: SubjectState) -> None:
    state.restriction.add(event.occurred_at, event.originator_version, False)


@apply.register
def _(event: ev.RelationshipStarted, state: SubjectState) -> None:
    state.relationship.add(event.occurred_at, event.originator_version, True)


@apply.register
def _(event: ev.RelationshipEnded, state: SubjectState) -> None:
    state.relationship.add(event.occurred_at, event.originator_version, False)


@apply.register
def _(event: ev.SubjectLeftCompany, state: SubjectState) -> None:
    state.left_at = event.occurred_at


@apply.register
def _(event: ev.SubjectInformed, state: SubjectState) -> None:
    if state.informed_at is None or event.occurred_at < state.informed_at:
        state.informed_at = event.occurred_at


@apply.register
def _(event: ev.RequestReceived, state: SubjectState) -> None:
    state.requests[event.request_id] = RequestState(
        event.request_id, event.request_type, event.received_on, event.due_on
    )


@apply.register
def _(event: ev.RequestExtended, state: SubjectState) -> None:
    state.requests[event.request_id].due_on = event.due_on
    state.requests[event.request_id].extension_reason_fi = event.reason_fi


@apply.register
def _(event: ev.RequestFoundExcessive, state: SubjectState) -> None:
    state.requests[event.request_id].excessive = (event.reason, event.reason_fi)


@apply.register
def _(event: ev.RequestAnswered, state: SubjectState) -> None:
    state.requests[event.request_id].status = "answered"


@apply.register
def _(event: ev.RequestRefused, state: SubjectState) -> None:
    state.requests[event.request_id].status = "refused"
    state.requests[event.request_id].refusal_reason_fi = event.reason_fi


def fold(
    subject_id: UUID,
    events: Iterable[ev.SubjectEvent],
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> SubjectState:
    """Fold events into a state; ``as_of`` keeps what had happened by then,
    ``known_at`` what had been recorded by then (both from the events)."""
    state = SubjectState(subject_id)
    for event in events:
        state.version = event.originator_version
        if as_of is not None and event.occurred_at > as_of:
            continue
        if known_at is not None and event.recorded_at > known_at:
            continue
        _apply(event, state)
    return state


def project_subject(
    state: SubjectState | None, events: Iterable[ev.SubjectEvent]
) -> SubjectState | None:
    """The library's projector function: ``repository.get(id, projector_func=…)``."""
    for event in events:
        if state is None:
            state = SubjectState(event.originator_id)
        state.version = event.originator_version
        _apply(event, state)
    return state


# The controller's own use of data does not restart retention clocks, nor
# does the person exercising their rights (a request, an objection, a
# restriction, a withdrawal): only business interactions do.
_NOT_ACTIVITY = frozenset(
    {
        "FindingRaised",
        "DataProcessed",
        "DataDisclosed",
        "DataTransferred",
        "RetentionExpired",
        "SubjectErased",
        "RequestReceived",
        "RequestExtended",
        "RequestAnswered",
        "RequestRefused",
        "RequestFoundExcessive",
        "ObjectionRecorded",
        "ObjectionLifted",
        "ProcessingRestricted",
        "RestrictionLifted",
        "ConsentWithdrawn",
        "LegalHoldPlaced",
        "LegalHoldReleased",
        "SubjectLeftCompany",
        "SubjectInformed",
        "SubjectConsulted",
        "FindingAcknowledged",
    }
)


def _apply(event: ev.SubjectEvent, state: SubjectState) -> None:
    if event.STORED_NAME not in _NOT_ACTIVITY:
        previous = state.last_activity
        if previous is None or event.occurred_at > previous:
            state.last_activity = event.occurred_at
    apply(event, state)
