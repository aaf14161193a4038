"""The draft of a command's events, and the checks every handler shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger import clock
from ledger import events as ev
from ledger.compliance import Finding, Processing, judge
from ledger.errors import InvalidCommand
from ledger.formats import check_format

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

    from commands import models as m
    from ledger.policy import LegalBasis, Policy
    from ledger.run import Run
    from ledger.subject import SubjectState


SCRUB_PENDING = (
    "pending: a reader holds the database's log, so freed copies of the "
    "destroyed keys are overwritten later (next start or 'retention sweep')"
)


@dataclass
class Outcome:
    """What a command recorded: the subject, its new events and findings."""

    subject_id: UUID
    events: list[ev.SubjectEvent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    request_id: str | None = None
    # An erasure whose freed key copies a reader keeps from being overwritten.
    scrub_pending: bool = False
    # Nothing written: the command's id was already recorded (its original
    # subject and request are given), or it asked for what is already held.
    duplicate: bool = False
    # Events of other streams saved with the command's (request id claims).
    claims: list[ev.SubjectEvent] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": str(self.subject_id),
            "recorded": [e.STORED_NAME for e in self.events],
            "findings": [{"rule": f.rule, "detail": f.detail} for f in self.findings],
            **({"request": self.request_id} if self.request_id else {}),
            **({"scrub": SCRUB_PENDING} if self.scrub_pending else {}),
            **({"duplicate": True} if self.duplicate else {}),
        }


# A command dated before its subject was registered. The ledger's own acts
# on a person's record (restricting, holding, erasing) cannot come before
# that record exists: refused, as a mistaken date. Using personal data
# (collecting, rectifying, processing, disclosing, transferring) is a
# reported fact and the ledger must keep it, but it means data was used while
# the ledger knew nothing of the person: recorded with a finding. The
# person's own acts (consent, objection, a request, which may be answered
# before the record too: its own bound is the day it was received) and facts
# about the company's relationship may well come first: recorded as they are.
_REFUSED_BEFORE_REGISTRATION = frozenset(
    {"restrict", "lift-restriction", "hold", "release-hold", "erase"}
)
_FLAGGED_BEFORE_REGISTRATION = frozenset(
    {"collect", "rectify", "process", "disclose", "transfer"}
)
BEFORE_REGISTRATION = "dated_before_registration"


class Draft:
    """New events of one subject, numbered after its current version."""

    def __init__(self, run: Run, state: SubjectState, command: m._Command) -> None:
        self.run = run
        self.ledger = run.ledger
        self.state = state
        self.command = command
        self.outcome = Outcome(state.id)
        self._version = state.version
        self.recorded_at = clock.now()
        self._kind: str = getattr(command, "kind", "")
        registered = state.registered_at
        self._early = registered is not None and command.at < registered
        if self._early and self._kind in _REFUSED_BEFORE_REGISTRATION:
            assert registered is not None
            raise InvalidCommand(
                "at",
                "is before the subject was registered "
                f"({clock.local_text(registered)})",
            )

    def add(self, cls: type[ev.SubjectEvent], **fields: Any) -> ev.SubjectEvent:
        self._version += 1
        event = cls(
            originator_id=self.state.id,
            originator_version=self._version,
            occurred_at=self.command.at,
            recorded_at=self.recorded_at,
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
        if (
            self._early
            and self._kind in _FLAGGED_BEFORE_REGISTRATION
            and self.outcome.events
        ):
            about = self.outcome.events[0]
            registered = clock.local_text(self.state.registered_at)
            finding = Finding(
                BEFORE_REGISTRATION,
                f"personal data used before the subject was registered ({registered})",
            )
            self.outcome.findings.append(finding)
            self.add(
                ev.FindingRaised,
                rule=finding.rule,
                about_version=about.originator_version,
                about_event=about.STORED_NAME,
                detail=finding.detail,
            )
        self.run.append([*self.outcome.events, *self.outcome.claims])
        return self.outcome


def known(policy: Policy, kind: str, value: str) -> None:
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


def check_value(policy: Policy, category: str, value: str) -> None:
    problem = check_format(policy.category(category).format, value)
    if problem is not None:
        raise InvalidCommand("value", f"{category} {problem}")


def not_erased(state: SubjectState) -> None:
    if state.erased_at is not None:
        raise InvalidCommand(
            "subject",
            f"was erased on {clock.local_date(state.erased_at)}; "
            "register the person anew",
        )


def basis_of(policy: Policy, purpose: str, given: LegalBasis | None) -> LegalBasis:
    known(policy, "purpose", purpose)
    return given if given is not None else policy.purpose(purpose).legal_basis


def draft_for(run: Run, command: Any) -> Draft:
    subject_id = run.resolve(command.subject)
    return Draft(run, run.load(subject_id), command)


def simple(cls: type[ev.SubjectEvent], **fields: str) -> Callable[[Any, Run], Outcome]:
    def handler(command: Any, run: Run) -> Outcome:
        draft = draft_for(run, command)
        draft.add(
            cls, **{name: getattr(command, attr) for name, attr in fields.items()}
        )
        return draft.commit()

    return handler
