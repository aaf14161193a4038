"""Handlers of data-subject requests: received, extended, answered, refused."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from commands.handlers.draft import (
    Draft,
    Outcome,
    draft_for,
)
from ledger import clock
from ledger import events as ev
from ledger.deadlines import due_date
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    from commands import models as m
    from ledger.run import Run


def receive(command: m.ReceiveRequest, run: Run) -> Outcome:
    policy = run.ledger.policy
    if command.channel not in policy.rights.channels:
        raise InvalidCommand(
            "channel", f"unknown channel {command.channel!r} (policy rights.channels)"
        )
    draft = draft_for(run, command)
    received_on = command.received_on or clock.local_date(command.at)
    request_id = command.request_id or (
        f"R-{received_on:%Y%m%d}-{secrets.token_hex(3).upper()}"
    )
    if request_id in draft.state.requests or _known_request(run, request_id):
        raise InvalidCommand("request_id", f"{request_id} is already recorded")
    # Unique per ledger in the database, not only in the read model.
    draft.outcome.claims.append(
        ev.RequestIdClaimed(
            originator_id=ev.receipt_stream("request:" + request_id),
            originator_version=1,
            occurred_at=command.at,
            recorded_at=draft.recorded_at,
            reported_by=command.reported_by,
            request_id=request_id,
            subject_id=draft.state.id,
        )
    )
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


def _known_request(run: Run, request_id: str) -> bool:
    """Request ids are unique across subjects: the register is keyed by them."""
    try:
        run.resolve("request:" + request_id)
    except InvalidCommand:
        return False
    return True


def open_request(draft: Draft, request_id: str) -> Any:
    request = draft.state.requests.get(request_id)
    if request is None:
        raise InvalidCommand("request_id", f"no request {request_id} for this subject")
    if request.status != "open":
        raise InvalidCommand("request_id", f"{request_id} is already {request.status}")
    if clock.local_date(draft.command.at) < request.received_on:
        raise InvalidCommand(
            "at", f"is before {request_id} was received ({request.received_on})"
        )
    return request


def extend(command: m.ExtendRequest, run: Run) -> Outcome:
    policy = run.ledger.policy
    draft = draft_for(run, _with_subject(command))
    request = open_request(draft, command.request_id)
    notified_on = clock.local_date(command.at)
    # Art. 12(3): the person is told within one month of receipt.
    first_due = due_date(request.received_on, policy.rights.response_months)
    if notified_on > first_due:
        raise InvalidCommand(
            "at", f"the person must be told of an extension by {first_due}"
        )
    months = min(command.months, policy.rights.extension_months)
    if months < 1:
        raise InvalidCommand("months", "the policy allows no extension")
    draft.add(
        ev.RequestExtended,
        request_id=command.request_id,
        reason=command.reason,
        reason_fi=command.reason_fi,
        due_on=due_date(request.received_on, policy.rights.response_months + months),
        notified_on=notified_on,
    )
    draft.outcome.request_id = command.request_id
    return draft.commit()


def find_excessive(command: m.FindRequestExcessive, run: Run) -> Outcome:
    """Art. 12(5): the controller must show why; the reason is recorded."""
    draft = draft_for(run, _with_subject(command))
    open_request(draft, command.request_id)
    draft.add(
        ev.RequestFoundExcessive,
        request_id=command.request_id,
        reason=command.reason,
        reason_fi=command.reason_fi,
    )
    draft.outcome.request_id = command.request_id
    return draft.commit()


def close(
    command: m.AnswerRequest | m.RefuseRequest,
    run: Run,
) -> Outcome:
    draft = draft_for(run, _with_subject(command))
    open_request(draft, command.request_id)
    if command.kind == "answer-request":
        draft.add(
            ev.RequestAnswered,
            request_id=command.request_id,
            answered_on=clock.local_date(command.at),
        )
    else:
        draft.add(
            ev.RequestRefused,
            request_id=command.request_id,
            answered_on=clock.local_date(command.at),
            reason=command.reason,
            reason_fi=command.reason_fi,
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


def _with_subject(command: Any) -> Any:
    return _WithSubject(command, "request:" + command.request_id)
