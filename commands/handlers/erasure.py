"""The erasure handler (Art. 17): destroy keys, keep what the law keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.handlers.draft import (
    Outcome,
    draft_for,
)
from commands.handlers.requests import open_request
from ledger import clock
from ledger import events as ev
from ledger.errors import InvalidCommand
from ledger.retention import plan_erasure
from ledger.subject import SubjectState, Timeline

if TYPE_CHECKING:
    from datetime import datetime

    from commands import models as m
    from ledger.application import Ledger
    from ledger.run import Run


def erase(command: m.EraseSubject, run: Run) -> Outcome:
    ledger = run.ledger
    draft = draft_for(run, command)
    state = draft.state
    if state.erased_at is not None:
        raise InvalidCommand(
            "subject", f"was already erased on {clock.local_date(state.erased_at)}"
        )
    if command.request_id is not None:
        request = open_request(draft, command.request_id)
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
            answered_on=clock.local_date(command.at),
        )
        draft.outcome.request_id = command.request_id
    # Destroyed only once the erasure is stored: a crash in between leaves
    # keys that `retention sweep` destroys, never an unrecorded erasure.
    outcome = draft.commit()

    def destroy() -> None:
        outcome.scrub_pending = not ledger.keys.destroy(state.id, plan.destroy)

    run.after_save(destroy)
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
        lookup
        for category, values in state.values.items()
        for held in values
        # A value whose key a retention sweep destroyed is not looked up.
        if (lookup := ledger.lookup_of(state.id, category, held.value)) is not None
    }
    return tuple(
        ev.Suppression(lookup=lookup, scope=scope, since=clock.local_date(since))
        for scope, since in scopes
        for lookup in sorted(lookups)
    )
