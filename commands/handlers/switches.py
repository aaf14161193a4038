"""Handlers of consent, objection and restriction switches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.handlers.draft import (
    Outcome,
    draft_for,
    known,
)
from ledger import events as ev

if TYPE_CHECKING:
    from commands import models as m
    from ledger.run import Run


def consent(
    command: m.GiveConsent | m.WithdrawConsent,
    run: Run,
) -> Outcome:
    known(run.ledger.policy, "purpose", command.purpose)
    draft = draft_for(run, command)
    cls = ev.ConsentGiven if command.kind == "consent" else ev.ConsentWithdrawn
    draft.add(
        cls, purpose=command.purpose, channel=command.channel, evidence=command.evidence
    )
    return draft.commit()


def objection(
    command: m.RecordObjection | m.LiftObjection,
    run: Run,
) -> Outcome:
    draft = draft_for(run, command)
    cls = ev.ObjectionRecorded if command.kind == "object" else ev.ObjectionLifted
    draft.add(cls, scope=command.scope, channel=command.channel)
    return draft.commit()


def restrict(command: m.RestrictProcessing, run: Run) -> Outcome:
    draft = draft_for(run, command)
    draft.add(ev.ProcessingRestricted, ground=command.ground)
    return draft.commit()
