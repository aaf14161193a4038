"""Handlers: check a command against the policy and append its events.

Malformed commands (unknown ids, bad values, a transfer with no safeguard)
raise `InvalidCommand` before anything is written. Well-formed processing
that breaches the policy is recorded all the same, with one `FindingRaised`
per broken rule, in the same atomic append.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import singledispatch
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from commands import models as m
from ledger import events as ev
from ledger.compliance import Finding, Processing, judge
from ledger.deadlines import due_date
from ledger.errors import InvalidCommand
from ledger.formats import check_format
from ledger.policy import EEA_COUNTRIES, LegalBasis, Policy
from ledger.retention import plan_erasure
from ledger.subject import SubjectState, Timeline
from projections import queries

if TYPE_CHECKING:
    from collections.abc import Callable

    from ledger.application import Ledger

__all__ = ["Outcome", "handle"]


@dataclass
class Outcome:
    """What a command recorded: the subject, its new events and findings."""

    subject_id: UUID
    events: list[ev.SubjectEvent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    request_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": str(self.subject_id),
            "recorded": [e.STORED_NAME for e in self.events],
            "findings": [{"rule": f.rule, "detail": f.detail} for f in self.findings],
            **({"request": self.request_id} if self.request_id else {}),
        }


class Draft:
    """New events of one subject, numbered after its current version."""

    def __init__(
        self, ledger: Ledger, state: SubjectState, command: m._Command
    ) -> None:
        self.ledger = ledger
        self.state = state
        self.command = command
        self.outcome = Outcome(state.id)
        self._version = state.version
        self._now = datetime.now(UTC)

    def add(self, cls: type[ev.SubjectEvent], **fields: Any) -> ev.SubjectEvent:
        self._version += 1
        event = cls(
            originator_id=self.state.id,
            originator_version=self._version,
            occurred_at=self.command.at,
            recorded_at=self._now,
            reported_by=self.command.reported_by,
            **fields,
        )
        self.outcome.events.append(event)
        return event

    def judge(self, processing: Processing, about: ev.SubjectEvent) -> None:
        for finding in judge(self.ledger.policy, self.state, processing):
            self.outcome.findings.append(finding)
            self.add(
                ev.FindingRaised,
                rule=finding.rule,
                about_version=about.originator_version,
                about_event=about.STORED_NAME,
                detail=finding.detail,
            )

    def commit(self) -> Outcome:
        self.ledger.append(self.outcome.events)
        return self.outcome


# Validation against the policy ---------------------------------------------


def _known(policy: Policy, kind: str, value: str) -> None:
    lookups: dict[str, Callable[[str], object]] = {
        "category": policy.category,
        "purpose": policy.purpose,
        "source": policy.source,
        "recipient": policy.recipient,
    }
    try:
        lookups[kind](value)
    except KeyError:
        raise InvalidCommand(
            kind, f"unknown {kind} {value!r} (not in the policy)"
        ) from None


def _check_value(policy: Policy, category: str, value: str) -> None:
    problem = check_format(policy.category(category).format, value)
    if problem is not None:
        raise InvalidCommand("value", f"{category} {problem}")


def _not_erased(state: SubjectState) -> None:
    if state.erased_at is not None:
        raise InvalidCommand(
            "subject",
            f"was erased on {state.erased_at.date()}; register the person anew",
        )


def _seal_collection(
    draft: Draft, category: str, value: str, source: str, purposes: tuple[str, ...]
) -> ev.SubjectEvent:
    policy = draft.ledger.policy
    _known(policy, "category", category)
    _check_value(policy, category, value)
    _not_erased(draft.state)
    ledger, subject = draft.ledger, draft.state.id
    event = draft.add(
        ev.DataCollected,
        category=category,
        value=ledger.seal(subject, category, value),
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
    listed = draft.ledger.suppression
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


def _basis(policy: Policy, purpose: str, given: LegalBasis | None) -> LegalBasis:
    _known(policy, "purpose", purpose)
    return given if given is not None else policy.purpose(purpose).legal_basis


# Handlers ------------------------------------------------------------------


def handle(ledger: Ledger, command: Any, resolve: Callable[[str], UUID]) -> Outcome:
    """Run one command: validate, judge, append atomically."""
    return _handle(command, ledger, resolve)


@singledispatch
def _handle(command: Any, ledger: Ledger, resolve: Callable[[str], UUID]) -> Outcome:
    raise TypeError(f"no handler for {type(command).__name__}")


def _draft(ledger: Ledger, command: Any, resolve: Callable[[str], UUID]) -> Draft:
    subject_id = resolve(command.subject)
    return Draft(ledger, ledger.load(subject_id), command)


def _register(
    command: m.RegisterSubject, ledger: Ledger, _: Callable[[str], UUID]
) -> Outcome:
    policy = ledger.policy
    _known(policy, "source", command.source)
    for purpose in command.purposes:
        _known(policy, "purpose", purpose)
    draft = Draft(ledger, SubjectState(uuid4()), command)
    subject = draft.state.id
    ledger.keys.note_new_subject(subject)
    if command.business_id is not None:
        _check_value(policy, "company", command.company)
        problem = check_format("business_id", command.business_id)
        if problem is not None:
            raise InvalidCommand("business_id", problem)
    draft.add(
        ev.SubjectRegistered,
        company_name=ledger.seal(subject, "company", command.company),
        business_id=(
            ledger.seal(subject, "company", command.business_id)
            if command.business_id
            else None
        ),
        source=command.source,
    )
    for category in ("name", "email", "phone", "title"):
        value = getattr(command, category)
        if value is not None:
            event = _seal_collection(
                draft, category, value, command.source, command.purposes
            )
            draft.judge(
                _collection(command.purposes, category, command.at, ledger), event
            )
    return draft.commit()


def _collection(
    purposes: tuple[str, ...], category: str, at: datetime, ledger: Ledger
) -> Processing:
    # Collection is judged for the first purpose; all are listed in the event.
    purpose = purposes[0]
    return Processing(
        purpose=purpose,
        legal_basis=ledger.policy.purpose(purpose).legal_basis,
        categories=(category,),
        occurred_at=at,
    )


def _collect(
    command: m.CollectData, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    policy = ledger.policy
    _known(policy, "source", command.source)
    for purpose in command.purposes:
        _known(policy, "purpose", purpose)
    draft = _draft(ledger, command, resolve)
    event = _seal_collection(
        draft, command.category, command.value, command.source, command.purposes
    )
    for purpose in command.purposes:
        draft.judge(
            _collection((purpose,), command.category, command.at, ledger), event
        )
    return draft.commit()


def _rectify(
    command: m.RectifyData, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    policy = ledger.policy
    _known(policy, "category", command.category)
    _known(policy, "source", command.source)
    _check_value(policy, command.category, command.value)
    draft = _draft(ledger, command, resolve)
    _not_erased(draft.state)
    if command.category not in draft.state.values:
        raise InvalidCommand(
            "category", f"nothing of {command.category} is held to rectify"
        )
    subject = draft.state.id
    draft.add(
        ev.DataRectified,
        category=command.category,
        value=ledger.seal(subject, command.category, command.value),
        source=command.source,
    )
    return draft.commit()


def _consent(
    command: m.GiveConsent | m.WithdrawConsent,
    ledger: Ledger,
    resolve: Callable[[str], UUID],
) -> Outcome:
    _known(ledger.policy, "purpose", command.purpose)
    draft = _draft(ledger, command, resolve)
    cls = ev.ConsentGiven if command.kind == "consent" else ev.ConsentWithdrawn
    draft.add(
        cls, purpose=command.purpose, channel=command.channel, evidence=command.evidence
    )
    return draft.commit()


def _objection(
    command: m.RecordObjection | m.LiftObjection,
    ledger: Ledger,
    resolve: Callable[[str], UUID],
) -> Outcome:
    draft = _draft(ledger, command, resolve)
    cls = ev.ObjectionRecorded if command.kind == "object" else ev.ObjectionLifted
    draft.add(cls, scope=command.scope, channel=command.channel)
    return draft.commit()


def _restrict(
    command: m.RestrictProcessing, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    draft = _draft(ledger, command, resolve)
    draft.add(ev.ProcessingRestricted, ground=command.ground)
    return draft.commit()


def _simple(
    cls: type[ev.SubjectEvent], **fields: str
) -> Callable[[Any, Ledger, Callable[[str], UUID]], Outcome]:
    def handler(
        command: Any, ledger: Ledger, resolve: Callable[[str], UUID]
    ) -> Outcome:
        draft = _draft(ledger, command, resolve)
        draft.add(
            cls, **{name: getattr(command, attr) for name, attr in fields.items()}
        )
        return draft.commit()

    return handler


def _process(
    command: m.RecordProcessing, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    policy = ledger.policy
    basis = _basis(policy, command.purpose, command.legal_basis)
    for category in command.categories:
        _known(policy, "category", category)
    if command.recipient is not None:
        _known(policy, "recipient", command.recipient)
    draft = _draft(ledger, command, resolve)
    event = draft.add(
        ev.DataProcessed,
        purpose=command.purpose,
        legal_basis=basis,
        categories=command.categories,
        activity=command.activity,
        recipient=command.recipient,
    )
    recipient = policy.recipient(command.recipient) if command.recipient else None
    if recipient is not None and recipient.country not in EEA_COUNTRIES:
        # A processor outside the EU/EEA handling the data is a transfer too.
        if recipient.safeguard is None:
            raise InvalidCommand(
                "recipient", f"{recipient.id} is abroad with no safeguard"
            )
        draft.add(
            ev.DataTransferred,
            recipient=recipient.id,
            country=recipient.country,
            safeguard=recipient.safeguard,
            categories=command.categories,
            purpose=command.purpose,
            legal_basis=basis,
            reference=None,
        )
    draft.judge(
        Processing(
            command.purpose, basis, command.categories, command.at, command.recipient
        ),
        event,
    )
    return draft.commit()


def _disclose(
    command: m.RecordDisclosure | m.RecordTransfer,
    ledger: Ledger,
    resolve: Callable[[str], UUID],
) -> Outcome:
    policy = ledger.policy
    _known(policy, "recipient", command.recipient)
    basis = _basis(policy, command.purpose, command.legal_basis)
    for category in command.categories:
        _known(policy, "category", category)
    recipient = policy.recipient(command.recipient)
    country = getattr(command, "country", None) or recipient.country
    safeguard = getattr(command, "safeguard", None)
    if command.kind == "transfer" and country in EEA_COUNTRIES:
        raise InvalidCommand(
            "country", f"{country} is inside the EU/EEA: record a disclosure"
        )
    draft = _draft(ledger, command, resolve)
    common: dict[str, Any] = {
        "recipient": command.recipient,
        "country": country,
        "categories": command.categories,
        "purpose": command.purpose,
        "legal_basis": basis,
        "reference": command.reference,
    }
    if country in EEA_COUNTRIES:
        event = draft.add(ev.DataDisclosed, **common)
    else:
        safeguard = safeguard or recipient.safeguard
        if safeguard is None:
            raise InvalidCommand(
                "safeguard",
                f"a transfer to {country} (outside the EU/EEA) must name its safeguard",
            )
        event = draft.add(ev.DataTransferred, safeguard=safeguard, **common)
    draft.judge(
        Processing(
            command.purpose,
            basis,
            command.categories,
            command.at,
            command.recipient,
            safeguard.value if safeguard is not None else None,
        ),
        event,
    )
    return draft.commit()


def _receive(
    command: m.ReceiveRequest, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    policy = ledger.policy
    if command.channel not in policy.rights.channels:
        raise InvalidCommand(
            "channel", f"unknown channel {command.channel!r} (policy rights.channels)"
        )
    draft = _draft(ledger, command, resolve)
    received_on = command.received_on or command.at.date()
    request_id = command.request_id or (
        f"R-{received_on:%Y%m%d}-{secrets.token_hex(3).upper()}"
    )
    if request_id in draft.state.requests:
        raise InvalidCommand("request_id", f"{request_id} is already recorded")
    draft.add(
        ev.RequestReceived,
        request_id=request_id,
        request_type=command.type,
        channel=command.channel,
        received_on=received_on,
        due_on=due_date(received_on, policy.rights.response_months),
    )
    draft.outcome.request_id = request_id
    return draft.commit()


def _open_request(draft: Draft, request_id: str) -> Any:
    request = draft.state.requests.get(request_id)
    if request is None:
        raise InvalidCommand("request_id", f"no request {request_id} for this subject")
    if request.status != "open":
        raise InvalidCommand("request_id", f"{request_id} is already {request.status}")
    return request


def _extend(
    command: m.ExtendRequest, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    policy = ledger.policy
    draft = _draft(ledger, _with_subject(command, resolve), resolve)
    request = _open_request(draft, command.request_id)
    notified_on = command.at.date()
    if notified_on > request.due_on:
        raise InvalidCommand(
            "at", f"the person must be told of an extension by {request.due_on}"
        )
    months = min(command.months, policy.rights.extension_months)
    if months < 1:
        raise InvalidCommand("months", "the policy allows no extension")
    draft.add(
        ev.RequestExtended,
        request_id=command.request_id,
        reason=command.reason,
        due_on=due_date(request.received_on, policy.rights.response_months + months),
        notified_on=notified_on,
    )
    draft.outcome.request_id = command.request_id
    return draft.commit()


def _close(
    command: m.AnswerRequest | m.RefuseRequest,
    ledger: Ledger,
    resolve: Callable[[str], UUID],
) -> Outcome:
    draft = _draft(ledger, _with_subject(command, resolve), resolve)
    _open_request(draft, command.request_id)
    if command.kind == "answer-request":
        draft.add(
            ev.RequestAnswered,
            request_id=command.request_id,
            answered_on=command.at.date(),
        )
    else:
        draft.add(
            ev.RequestRefused,
            request_id=command.request_id,
            answered_on=command.at.date(),
            reason=command.reason,
        )
    draft.outcome.request_id = command.request_id
    return draft.commit()


class _WithSubject:
    """A request command seen with the subject its request belongs to."""

    def __init__(self, command: Any, subject: str) -> None:
        self._command = command
        self.subject = subject

    def __getattr__(self, name: str) -> Any:
        return getattr(self._command, name)


def _with_subject(command: Any, resolve: Callable[[str], UUID]) -> Any:
    return _WithSubject(command, "request:" + command.request_id)


def _erase(
    command: m.EraseSubject, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    draft = _draft(ledger, command, resolve)
    state = draft.state
    if state.erased_at is not None:
        raise InvalidCommand(
            "subject", f"was already erased on {state.erased_at.date()}"
        )
    if command.request_id is not None:
        request = _open_request(draft, command.request_id)
        if request.request_type is not ev.RequestType.ERASURE:
            raise InvalidCommand(
                "request_id", f"{command.request_id} is not an erasure request"
            )
    plan = plan_erasure(
        ledger.policy,
        state,
        ledger.keys.live_classes(state.id),
        command.at,
        remove_objection=command.remove_objection,
    )
    draft.add(
        ev.SubjectErased,
        request_id=command.request_id,
        destroyed=plan.destroy,
        kept=plan.keep,
        suppression=()
        if command.remove_objection
        else _suppression(ledger, state, command.at),
    )
    if command.request_id is not None:
        draft.add(
            ev.RequestAnswered,
            request_id=command.request_id,
            answered_on=command.at.date(),
        )
        draft.outcome.request_id = command.request_id
    outcome = draft.commit()
    # Destroyed only once the erasure is recorded: a crash in between leaves
    # keys that `retention sweep` destroys, never an unrecorded erasure.
    ledger.keys.destroy(state.id, plan.destroy)
    return outcome


def _suppression(
    ledger: Ledger, state: SubjectState, at: datetime
) -> tuple[ev.Suppression, ...]:
    """Objections to marketing in force, kept as keyed hashes of the emails."""
    scopes = [
        (scope, since)
        for scope in (
            ev.ObjectionScope.DIRECT_MARKETING,
            ev.ObjectionScope.SALES_CONTACT,
        )
        if (since := state.objections.get(scope.value, Timeline()).since(at))
        is not None
    ]
    lookups = {
        ledger.lookup_hash(category, ledger.open(state.id, category, held.value))
        for category, values in state.values.items()
        if ledger.policy.category(category).lookup
        for held in values
    }
    return tuple(
        ev.Suppression(lookup=lookup, scope=scope, since=since.date())
        for scope, since in scopes
        for lookup in sorted(lookups)
    )


def _register_handlers() -> None:
    _handle.register(m.RegisterSubject, _register)
    _handle.register(m.CollectData, _collect)
    _handle.register(m.RectifyData, _rectify)
    _handle.register(m.GiveConsent, _consent)
    _handle.register(m.WithdrawConsent, _consent)
    _handle.register(m.RecordObjection, _objection)
    _handle.register(m.LiftObjection, _objection)
    _handle.register(m.RestrictProcessing, _restrict)
    _handle.register(m.LiftRestriction, _simple(ev.RestrictionLifted))
    _handle.register(m.RecordProcessing, _process)
    _handle.register(m.RecordDisclosure, _disclose)
    _handle.register(m.RecordTransfer, _disclose)
    _handle.register(
        m.StartRelationship, _simple(ev.RelationshipStarted, reference="reference")
    )
    _handle.register(
        m.EndRelationship, _simple(ev.RelationshipEnded, reference="reference")
    )
    _handle.register(m.MarkLeftCompany, _simple(ev.SubjectLeftCompany))
    _handle.register(m.ReceiveRequest, _receive)
    _handle.register(m.ExtendRequest, _extend)
    _handle.register(m.AnswerRequest, _close)
    _handle.register(m.RefuseRequest, _close)
    _handle.register(m.PlaceLegalHold, _simple(ev.LegalHoldPlaced, reason="reason"))
    _handle.register(m.ReleaseLegalHold, _simple(ev.LegalHoldReleased, reason="reason"))
    _handle.register(m.EraseSubject, _erase)


_register_handlers()
