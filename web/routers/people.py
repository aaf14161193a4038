"""People: search (a dpo's), and a person's whole record (every look is
recorded on their stream; masked, and asked the purpose, for auditors and
regulators)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import RIGHTS, facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from ledger import clock
from ledger import events as ev
from ledger.errors import InvalidCommand
from web.auth import purpose, require
from web.render import lang_of, render
from web.texts import text

router = APIRouter()

Search = Annotated[str, Query(max_length=254)]


@router.get("/people")
async def people(
    request: Request,
    person: Annotated[Person, Depends(require("consult"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    q: Search = "",
    id: Search = "",
) -> Response:
    """A dpo searches; others open a person by id (as the API allows)."""
    if id.strip():
        target = "/people/" + quote(id.strip(), safe="")
        return RedirectResponse(target, status_code=303)
    may_search = person.role in RIGHTS["manage"]
    found = kirjuri.subjects(q.strip()) if may_search and q.strip() else None
    return render(
        request,
        "people/search.html",
        {"q": q, "found": found, "may_search": may_search},
        title=text("nav.people", lang_of(request)),
        page="people",
    )


@router.get("/people/{subject}")
async def one_person(
    request: Request,
    subject: str,
    person: Annotated[Person, Depends(require("consult"))],
    why: Annotated[str | None, Depends(purpose)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    as_of: Search = "",
    type: Search = "",
) -> Response:
    lang = lang_of(request)
    error = ""
    moment = None
    if as_of.strip():
        try:
            moment = _end_of(as_of.strip())
        except InvalidCommand as err:
            error = str(err)
    view = kirjuri.person(
        subject[:300],
        caller=person,
        purpose=why,
        as_of=moment,
        event_type=type if type in ev.EVENT_TYPES else None,
        lang="fi" if lang == "fi" else "en",
    )
    return render(
        request,
        "people/person.html",
        {
            "view": view,
            "as_of": as_of,
            "type": type,
            "error": error,
            "may_manage": person.role in RIGHTS["manage"],
        },
        title=f"{text('people.person', lang)} {view.subject[:8]}",
        page="people",
        status=422 if error else 200,
    )


def _end_of(text_: str) -> datetime:
    """A day means what stood at its end; a time is taken as given."""
    found = clock.parse_moment(text_, "as_of")
    if len(text_) == 10:
        return datetime.combine(found.date(), time.max, found.tzinfo)
    return found
