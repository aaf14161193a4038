"""History, the auditor's query: every filter of ``kirjuri history``, one
page at a time (a cursor), and the whole result as a CSV download. A
regulator's window narrows what is asked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response, StreamingResponse

from api.auth import facade, within_reach
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from ledger import clock
from ledger.errors import InvalidCommand
from web.auth import require
from web.render import render

router = APIRouter()

PAGE = 50
Facade = Annotated[Kirjuri, Depends(facade)]
Lister = Annotated[Person, Depends(require("audit"))]
Name = Annotated[str, Query(max_length=300)]
FIELDS = ("subject", "recipient", "purpose", "category", "type", "country")


class HistoryForm:
    """The History page's filters as its form sends them (blank: not
    filtered); every page that selects events by them takes this."""

    def __init__(
        self,
        subject: Name = "",
        recipient: Name = "",
        purpose: Name = "",
        category: Name = "",
        type: Name = "",
        country: Name = "",
        since: Name = "",
        until: Name = "",
    ) -> None:
        self.asked = {"subject": subject, "recipient": recipient}
        self.asked |= {"purpose": purpose, "category": category, "type": type}
        self.asked |= {"country": country, "since": since, "until": until}


@router.get("/history")
async def history(
    request: Request,
    person: Lister,
    kirjuri: Facade,
    form: Annotated[HistoryForm, Depends()],
    cursor: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> Response:
    """One page of events' clear metadata, oldest first."""
    asked = form.asked
    rows: list[Any] = []
    error = None
    try:
        filters = history_filters(person, asked)
        rows = kirjuri.history(**filters, limit=PAGE + 1, after=cursor)
    except InvalidCommand as err:
        error = str(err)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    query = {k: v for k, v in asked.items() if v}
    context = {
        "rows": rows,
        "asked": asked,
        "error": error,
        "next_cursor": rows[-1].notification_id if more else None,
        "query": query,
        "first_page": cursor is None,
    }
    return render(
        request,
        "history/index.html",
        context,
        title="history",
        page="history",
        status=200 if error is None else 422,
    )


@router.get("/history.csv")
async def history_csv(
    person: Lister,
    kirjuri: Facade,
    form: Annotated[HistoryForm, Depends()],
) -> Response:
    """The whole result as CSV, streamed page by page."""
    asked = form.asked
    chunks = kirjuri.history_csv(**history_filters(person, asked))
    return StreamingResponse(
        chunks,
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="history.csv"',
            "Cache-Control": "no-store",
        },
    )


def history_filters(person: Person, asked: dict[str, str]) -> dict[str, Any]:
    """The facade's filters from the form (blank: not filtered), narrowed
    to a regulator's window."""
    given = {k: asked[k].strip() or None for k in FIELDS}
    if person.subjects and given["subject"] is None:
        given["subject"] = person.subjects[0]
    given["event_type"] = given.pop("type")
    if given["country"]:
        given["country"] = given["country"].upper()
    since, until = within_reach(
        person,
        given["subject"],
        _moment(asked["since"], "since"),
        _moment(asked["until"], "until"),
    )
    return given | {"since": since, "until": until}


def _moment(text: str, field: str) -> datetime | None:
    """A day or a time in the ledger's zone (errors name the field)."""
    return clock.parse_moment(text.strip(), field) if text.strip() else None
