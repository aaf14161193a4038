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
    from collections.abc import Callable
    from uuid import UUID

    from commands import models as m
    from ledger.application import Ledger


def consent(
    command: m.GiveConsent | m.WithdrawConsent,
    ledger: Ledger,
    resolve: Callable[[str], UUID],
) -> Outcome:
    known(ledger.policy, "purpose", command.purpose)
    draft = draft_for(ledger, command, resolve)
    cls = ev.ConsentGiven if command.kind == "consent" else ev.ConsentWithdrawn
    draft.add(
        cls, purpose=command.purpose, channel=command.channel, evidence=command.evidence
    )
    return draft.commit()


def objection(
    command: m.RecordObjection | m.LiftObjection,
    ledger: Ledger,
    resolve: Callable[[str], UUID],
) -> Outcome:
    draft = draft_for(ledger, command, resolve)
    cls = ev.ObjectionRecorded if command.kind == "object" else ev.ObjectionLifted
    draft.add(cls, scope=command.scope, channel=command.channel)
    return draft.commit()


def restrict(
    command: m.RestrictProcessing, ledger: Ledger, resolve: Callable[[str], UUID]
) -> Outcome:
    draft = draft_for(ledger, command, resolve)
    draft.add(ev.ProcessingRestricted, ground=command.ground)
    return draft.commit()
