"""Reads: reports, history, state, findings, requests, and the check.

Each takes a subject the facade has resolved after bringing the read models
up to date, so what was just written is always seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from commands.models import parse_choice
from commands.usecases.views import (
    CheckResult,
    FindingView,
    HistoryRow,
    RequestRow,
    SubjectState,
    SwitchState,
    ValueHeld,
)
from ledger import clock
from ledger.compliance import Processing, judge
from ledger.countries import COUNTRY_CODES
from ledger.errors import InvalidCommand, UnknownSubject
from ledger.policy import LegalBasis
from projections import queries

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.sealed import Sealed
    from ledger.subject import Timeline

__all__ = ["Asked", "check", "history", "requests", "state"]


@dataclass(frozen=True)
class Asked:
    """An intended processing, as a caller names it (ids of the policy)."""

    purpose: str
    categories: tuple[str, ...] = ()
    recipient: str | None = None
    legal_basis: str | None = None
    country: str | None = None


def _known(kind: str, field: str, ids: Sequence[str], lookup: Any) -> None:
    for found in ids:
        try:
            lookup(found)
        except KeyError as err:
            raise InvalidCommand(field, f"unknown {kind} id {err}") from err


def check(
    ledger: Ledger, subject: UUID, asked: Asked, at: datetime | None
) -> CheckResult:
    """Would this processing be allowed? Judged as a recorded one would be.

    Ids the policy does not know are errors, not a "not allowed" that would
    read as a judgement."""
    policy = ledger.policy
    _known("purpose", "purpose", [asked.purpose], policy.purpose)
    _known("category", "categories", asked.categories, policy.category)
    if asked.recipient is not None:
        _known("recipient", "recipient", [asked.recipient], policy.recipient)
    country = asked.country.upper() if asked.country else None
    if country is not None and country not in COUNTRY_CODES:
        raise InvalidCommand("country", "must be an ISO 3166 alpha-2 code")
    chosen = policy.purpose(asked.purpose)
    basis = (
        parse_choice(LegalBasis, asked.legal_basis, "legal_basis")
        if asked.legal_basis
        else chosen.legal_basis
    )
    found = judge(
        policy,
        ledger.load(subject),
        Processing(
            chosen.id,
            basis,
            asked.categories,
            at or clock.now(),
            asked.recipient,
            None,
            country,
        ),
    )
    return CheckResult(
        subject=str(subject),
        findings=tuple(FindingView(rule=f.rule, detail=f.detail) for f in found),
    )


def history(ledger: Ledger, wanted: queries.HistoryFilter) -> list[HistoryRow]:
    rows = queries.history(ledger.database, wanted)
    return [HistoryRow.model_validate(row) for row in rows]


def requests(
    ledger: Ledger, subject: UUID | None, *, open_only: bool, today: date
) -> list[RequestRow]:
    rows = queries.requests(
        ledger.database, None if subject is None else str(subject), today
    )
    return [
        RequestRow.model_validate(row)
        for row in rows
        if not open_only or row["status"] == "open"
    ]


def _open(
    ledger: Ledger, subject: UUID, category: str, sealed: Sealed | None
) -> str | None:
    if sealed is None:
        return None
    value = ledger.open_or_none(subject, category, sealed)
    return "(erased)" if value is None else value


def _switches(timelines: dict[str, Timeline], at: datetime) -> dict[str, SwitchState]:
    return {
        name: SwitchState(in_force=timeline.at(at), since=timeline.since(at))
        for name, timeline in sorted(timelines.items())
    }


def state(
    ledger: Ledger, subject: UUID, as_of: datetime | None, known_at: datetime | None
) -> SubjectState:
    """A subject as it stood at a moment, from its events."""
    found = ledger.state_as_of(subject, as_of, known_at)
    if found.registered_at is None:
        raise UnknownSubject(str(subject), "not registered by then")
    at = as_of or clock.now()
    return SubjectState(
        subject=str(subject),
        as_of=as_of,
        known_at=known_at,
        status=found.status(at),
        company=_open(ledger, subject, "company", found.company_name),
        values={
            category: ValueHeld(
                value=_open(ledger, subject, category, held.value),
                source=held.source,
                since=held.occurred_at,
            )
            for category, held in sorted(found.current_values().items())
        },
        consents=_switches(found.consents, at),
        objections=_switches(found.objections, at),
        restricted=found.restriction.at(at),
    )
