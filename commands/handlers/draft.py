"""The draft of a command's events, and the checks every handler shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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


@dataclass
class Outcome:
    """What a command recorded: the subject, its new events and findings."""

    subject_id: UUID
    events: list[ev.SubjectEvent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    request_id: str | None = None
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
            **({"duplicate": True} if self.duplicate else {}),
        }


class Draft:
    """New events of one subject, numbered after its current version."""

    def __init__(self, run: Run, state: SubjectState, command: m._Command) -> None:
        self.run = run
        self.ledger = run.ledger
        self.state = state
        self.command = command
        self.outcome = Outcome(state.id)
        self._version = state.version
        self.recorded_at = datetime.now(UTC)

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
            f"was erased on {state.erased_at.date()}; register the person anew",
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
