"""Handlers that record personal data: register, collect, rectify."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from commands.handlers.draft import (
    Draft,
    Outcome,
    check_value,
    draft_for,
    known,
    not_erased,
)
from ledger import events as ev
from ledger.compliance import Processing
from ledger.errors import InvalidCommand
from ledger.formats import check_format
from ledger.subject import SubjectState
from projections import queries

if TYPE_CHECKING:
    from datetime import datetime

    from commands import models as m
    from ledger.application import Ledger
    from ledger.run import Run


def seal_collection(
    draft: Draft, category: str, value: str, source: str, purposes: tuple[str, ...]
) -> ev.SubjectEvent:
    policy = draft.ledger.policy
    known(policy, "category", category)
    check_value(policy, category, value)
    not_erased(draft.state)
    ledger, subject = draft.ledger, draft.state.id
    event = draft.add(
        ev.DataCollected,
        category=category,
        value=draft.run.seal(subject, category, value),
        source=source,
        purposes=purposes,
    )
    if policy.category(category).lookup:
        _carry_over_objections(draft, ledger.lookup_hash(category, value), event)
    return event


def _carry_over_objections(draft: Draft, lookup: str, about: ev.SubjectEvent) -> None:
    """A person erased after objecting is collected again (say, from a fair's
    attendee list): the prohibition the notice promises to keep applies."""
    in_force = {
        scope
        for scope, timeline in draft.state.objections.items()
        if timeline.at(draft.command.at)
    }
    listed = draft.run.suppression
    entries = (
        listed.get(lookup, [])
        if listed is not None
        else queries.suppressed(draft.ledger.database, lookup)
    )
    for entry in entries:
        if entry["scope"] in in_force:
            continue
        in_force.add(entry["scope"])
        draft.add(
            ev.ObjectionRecorded,
            scope=ev.ObjectionScope(entry["scope"]),
            channel="suppression_list",
        )
        draft.add(
            ev.FindingRaised,
            rule="suppressed_contact",
            about_version=about.originator_version,
            about_event=about.STORED_NAME,
            detail=f"objected to {entry['scope']} on {entry['since']} before an "
            "erasure; the objection is carried over",
        )


def register(command: m.RegisterSubject, run: Run) -> Outcome:
    ledger = run.ledger
    policy = ledger.policy
    known(policy, "source", command.source)
    for purpose in command.purposes:
        known(policy, "purpose", purpose)
    if command.email and not command.new_subject:
        # A malformed email is refused before it is looked up (the look-up
        # would make the ledger's index key for nothing).
        check_value(policy, "email", command.email)
        _not_known(run, command.email)
    draft = Draft(run, SubjectState(uuid4()), command)
    subject = draft.state.id
    run.new_subject(subject)
    if command.business_id is not None:
        check_value(policy, "company", command.company)
        problem = check_format("business_id", command.business_id)
        if problem is not None:
            raise InvalidCommand("business_id", problem)
    draft.add(
        ev.SubjectRegistered,
        company_name=run.seal(subject, "company", command.company),
        business_id=(
            run.seal(subject, "company", command.business_id)
            if command.business_id
            else None
        ),
        source=command.source,
    )
    for category in ("name", "email", "phone", "title"):
        value = getattr(command, category)
        if value is not None:
            event = seal_collection(
                draft, category, value, command.source, command.purposes
            )
            for purpose in command.purposes:
                draft.judge(
                    _collection((purpose,), category, command.at, ledger), event
                )
    return draft.commit()


def _not_known(run: Run, email: str) -> None:
    """A known email is the same person: never a silent second subject."""
    known = run.subjects_with_email(email)
    if known:
        ids = ", ".join(str(subject) for subject in known[:5])
        raise InvalidCommand(
            "email",
            f"already registered as subject {ids}: record to that subject, or "
            "register with new_subject (--new-subject) for a second person",
        )


def _collection(
    purposes: tuple[str, ...], category: str, at: datetime, ledger: Ledger
) -> Processing:
    purpose = purposes[0]
    return Processing(
        purpose=purpose,
        legal_basis=ledger.policy.purpose(purpose).legal_basis,
        categories=(category,),
        occurred_at=at,
        collection=True,
    )


def collect(command: m.CollectData, run: Run) -> Outcome:
    ledger = run.ledger
    policy = ledger.policy
    known(policy, "source", command.source)
    for purpose in command.purposes:
        known(policy, "purpose", purpose)
    draft = draft_for(run, command)
    event = seal_collection(
        draft, command.category, command.value, command.source, command.purposes
    )
    for purpose in command.purposes:
        draft.judge(
            _collection((purpose,), command.category, command.at, ledger), event
        )
    return draft.commit()


def rectify(command: m.RectifyData, run: Run) -> Outcome:
    ledger = run.ledger
    policy = ledger.policy
    known(policy, "category", command.category)
    known(policy, "source", command.source)
    check_value(policy, command.category, command.value)
    draft = draft_for(run, command)
    not_erased(draft.state)
    if command.category not in draft.state.values:
        raise InvalidCommand(
            "category", f"nothing of {command.category} is held to rectify"
        )
    subject = draft.state.id
    event = draft.add(
        ev.DataRectified,
        category=command.category,
        value=run.seal(subject, command.category, command.value),
        source=command.source,
    )
    if policy.category(command.category).lookup:
        lookup = ledger.lookup_hash(command.category, command.value)
        _carry_over_objections(draft, lookup, event)
    return draft.commit()
