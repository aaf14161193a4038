"""Handlers: check a command against the policy and append its events.

Malformed commands (unknown ids, bad values, a transfer with no safeguard)
raise `InvalidCommand` before anything is written. Well-formed processing
that breaches the policy is recorded all the same, with one `FindingRaised`
per broken rule, in the same atomic append.
"""

from __future__ import annotations

from functools import singledispatch
from typing import TYPE_CHECKING, Any

from commands import models as m
from commands.handlers.data import collect, rectify, register
from commands.handlers.draft import Draft, Outcome, simple
from commands.handlers.erasure import erase
from commands.handlers.findings import acknowledge
from commands.handlers.processing import disclose, process
from commands.handlers.requests import close, extend, find_excessive, receive
from commands.handlers.switches import consent, objection, restrict
from ledger import events as ev

if TYPE_CHECKING:
    from ledger.run import Run

__all__ = ["Draft", "Outcome", "handle"]


def handle(run: Run, command: Any) -> Outcome:
    """Run one command: validate, judge, add its events to the run's batch."""
    return _handle(command, run)


@singledispatch
def _handle(command: Any, run: Run) -> Outcome:
    raise TypeError(f"no handler for {type(command).__name__}")


def _register_handlers() -> None:
    _handle.register(m.RegisterSubject, register)
    _handle.register(m.CollectData, collect)
    _handle.register(m.RectifyData, rectify)
    _handle.register(m.GiveConsent, consent)
    _handle.register(m.WithdrawConsent, consent)
    _handle.register(m.RecordObjection, objection)
    _handle.register(m.LiftObjection, objection)
    _handle.register(m.RestrictProcessing, restrict)
    _handle.register(m.LiftRestriction, simple(ev.RestrictionLifted))
    _handle.register(m.RecordProcessing, process)
    _handle.register(m.RecordDisclosure, disclose)
    _handle.register(m.RecordTransfer, disclose)
    _handle.register(
        m.StartRelationship, simple(ev.RelationshipStarted, reference="reference")
    )
    _handle.register(
        m.EndRelationship, simple(ev.RelationshipEnded, reference="reference")
    )
    _handle.register(m.MarkLeftCompany, simple(ev.SubjectLeftCompany))
    _handle.register(
        m.RecordInformed,
        simple(ev.SubjectInformed, channel="channel", reference="reference"),
    )
    _handle.register(m.ReceiveRequest, receive)
    _handle.register(m.ExtendRequest, extend)
    _handle.register(m.FindRequestExcessive, find_excessive)
    _handle.register(m.AnswerRequest, close)
    _handle.register(m.RefuseRequest, close)
    _handle.register(m.PlaceLegalHold, simple(ev.LegalHoldPlaced, reason="reason"))
    _handle.register(m.ReleaseLegalHold, simple(ev.LegalHoldReleased, reason="reason"))
    _handle.register(m.EraseSubject, erase)
    _handle.register(m.AcknowledgeFinding, acknowledge)


_register_handlers()
