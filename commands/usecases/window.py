"""A regulator's reach applied to what it reads: a token limited to a time
window sees only what happened in it (``since`` inclusive, ``until``
exclusive, as ``history`` filters), and one limited to subjects only them.

Every read a regulator can make goes through here: findings, requests, a
subject's state and access report, evidence and proofs (history narrows its
own filter). Moments are the events' ``occurred_at``; a request counts from
the start of the day it was received."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from commands.usecases.identities import NotPermitted, check_reach
from ledger import clock

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from commands.usecases.identities import Caller
    from commands.usecases.views import FindingRow, RequestRow
    from projections.reports.model import AccessReport, Switch

__all__ = [
    "check_event",
    "findings",
    "limited",
    "report",
    "requests",
    "state_moments",
    "today",
]

_Item = TypeVar("_Item")


def limited(caller: Caller | None) -> bool:
    return caller is not None and (caller.since, caller.until) != (None, None)


def _moment(value: datetime | date | str) -> datetime:
    if isinstance(value, str):
        value = (
            date.fromisoformat(value)
            if len(value) == 10
            else datetime.fromisoformat(value)
        )
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, clock.LOCAL_TZ)
    return value


def _inside(caller: Caller, value: datetime | date | str | None) -> bool:
    if value is None:
        return True  # nothing dated: nothing outside
    moment = _moment(value)
    if caller.since is not None and moment < caller.since:
        return False
    return caller.until is None or moment < caller.until


def _kept(caller: Caller, items: Sequence[_Item], field: str) -> list[_Item]:
    return [item for item in items if _inside(caller, getattr(item, field))]


def check_event(caller: Caller | None, subject: UUID | None, occurred_at: Any) -> None:
    """One event (a finding, a proof's event) the caller asks for by id."""
    if caller is None:
        return
    if subject is not None:
        check_reach(caller, subject)
    if limited(caller) and not _inside(caller, occurred_at):
        raise NotPermitted("window: outside the period this token may see")


def findings(caller: Caller | None, rows: list[FindingRow]) -> list[FindingRow]:
    """Findings of the window, with the acknowledgements made in it."""
    if not limited(caller):
        return rows
    assert caller is not None
    return [
        row.model_copy(
            update={
                "acknowledgements": tuple(
                    _kept(caller, row.acknowledgements, "occurred_at")
                )
            }
        )
        for row in _kept(caller, rows, "occurred_at")
    ]


def today(caller: Caller | None, given: date) -> date:
    """The day a register is seen as of: the window's last day at latest."""
    if caller is None or caller.until is None:
        return given
    return min(given, clock.local_date(caller.until))


def requests(caller: Caller | None, rows: list[RequestRow]) -> list[RequestRow]:
    """Requests received in the window, as they stood at its end (an answer
    given after it is not shown)."""
    if not limited(caller):
        return rows
    assert caller is not None
    end = today(caller, clock.today()).isoformat()
    return [
        row
        if row.answered_on is None or _inside(caller, row.answered_on)
        else row.model_copy(
            update={
                "status": "open",
                "answered_on": None,
                "overdue": end > str(row.due_on),
            }
        )
        for row in _kept(caller, rows, "received_on")
    ]


def state_moments(
    caller: Caller | None, as_of: datetime | None, known_at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """A state is seen as of a moment in the window (its end by default).
    The window is of when things happened, not of when they were recorded
    (a feed may report March's processing in June): ``known_at`` stays."""
    if not limited(caller):
        return as_of, known_at
    assert caller is not None
    if as_of is not None and not _inside(caller, as_of):
        raise NotPermitted("as_of: outside the period this token may see")
    if as_of is None and caller.until is not None:
        # The last moment inside: ``until`` itself is outside.
        as_of = caller.until - timedelta(microseconds=1)
    return as_of, known_at


def _switches(caller: Caller, switches: list[Switch]) -> list[Switch]:
    """A consent or objection as its changes in the window left it."""
    shown = []
    for switch in switches:
        changes = _kept(caller, switch.history, "occurred_at")
        if changes:
            last = changes[-1]
            shown.append(
                switch.model_copy(
                    update={
                        "history": changes,
                        "active": last.active,
                        "since": last.occurred_at,
                        "channel": last.channel,
                        "evidence": last.evidence,
                    }
                )
            )
        elif not switch.history and _inside(caller, switch.since):
            shown.append(switch)
    return shown


def report(caller: Caller | None, found: AccessReport) -> AccessReport:
    """The report's dated entries of the window only; what is undated (the
    policy's purposes, retention, rights) stays."""
    if not limited(caller):
        return found
    assert caller is not None
    recipients = [
        entry.model_copy(
            update={"disclosures": _kept(caller, entry.disclosures, "occurred_at")}
        )
        for entry in found.recipients
    ]
    subject = found.subject
    if not _inside(caller, subject.left_at):
        subject = subject.model_copy(update={"left_at": None})
    if not _inside(caller, subject.informed_at):
        subject = subject.model_copy(
            update={"informed_at": None, "informed_channel": None}
        )
    request = found.request
    if request is not None and not _inside(caller, request.received_on):
        request = None
    return found.model_copy(
        update={
            "subject": subject,
            "request": request,
            "personal_data": _kept(caller, found.personal_data, "occurred_at"),
            "consents": _switches(caller, found.consents),
            "objections": _switches(caller, found.objections),
            "recipients": [r for r in recipients if r.disclosures or r.standing],
            "transfers": _kept(caller, found.transfers, "occurred_at"),
            "erasures": _kept(caller, found.erasures, "occurred_at"),
            "breached_uses": _kept(caller, found.breached_uses, "occurred_at"),
            "consultations": _kept(caller, found.consultations, "at"),
        }
    )
