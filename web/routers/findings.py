"""Findings: recorded processing that breached the policy, by rule,
person, recipient and day; a dpo acknowledges one with a note (a new event:
the finding itself never changes)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import RIGHTS, facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from ledger.errors import InvalidCommand
from web.auth import csrf_checked, require
from web.render import render

router = APIRouter()

Facade = Annotated[Kirjuri, Depends(facade)]
Lister = Annotated[Person, Depends(require("audit"))]
Manager = Annotated[Person, Depends(require("manage"))]
Name = Annotated[str, Query(max_length=300)]


@router.get("/findings")
async def findings(
    request: Request,
    person: Lister,
    kirjuri: Facade,
    rule: Name = "",
    subject: Name = "",
    recipient: Name = "",
    since: Name = "",
    until: Name = "",
) -> Response:
    """Findings narrowed by the filters given (each optional)."""
    wanted = {"rule": rule, "subject": subject, "recipient": recipient}
    wanted |= {"since": since, "until": until}
    try:
        rows = kirjuri.findings_where(
            rule=rule.strip() or None,
            subject=subject.strip() or None,
            recipient=recipient.strip() or None,
            since=_day(since, "since"),
            until=_day(until, "until"),
            caller=person,
        )
        error = None
    except InvalidCommand as err:
        rows, error = [], str(err)
    context = {
        "rows": rows,
        "wanted": wanted,
        "error": error,
        "manage": person.role in RIGHTS["manage"],
        "noted": request.query_params.get("noted"),
    }
    return render(
        request,
        "findings/index.html",
        context,
        title="findings",
        page="findings",
        status=200 if error is None else 422,
    )


@router.post("/findings/{finding_id}/acknowledge", dependencies=[Depends(csrf_checked)])
async def acknowledge(
    finding_id: Annotated[int, Path(ge=1, le=2**62)],
    person: Manager,
    kirjuri: Facade,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A note of what was done; the finding stays as recorded."""
    kirjuri.acknowledge_finding(finding_id, note, by=person.name)
    return RedirectResponse(f"/findings?noted={finding_id}", status_code=303)


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidCommand(field, "give a day as YYYY-MM-DD") from None
