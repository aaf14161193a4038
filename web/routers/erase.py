"""Erase (Art. 17), reached from a person's page: the dry run's plan in
plain words, a confirmation that needs the person's id typed, the result.
A dpo's only: other roles are refused the page and the action alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from ledger.errors import InvalidCommand
from web.auth import csrf_checked, require
from web.render import lang_of, render

if TYPE_CHECKING:
    from projections.reports.model import Language

router = APIRouter()

Facade = Annotated[Kirjuri, Depends(facade)]
Manager = Annotated[Person, Depends(require("manage"))]
Subject = Annotated[str, Path(min_length=1, max_length=300)]
# Checked by the erasure command (one line naming the field if malformed).
RequestRef = Annotated[str, Query(max_length=64)]
FormRequestRef = Annotated[str, Form(max_length=64)]


@router.get("/people/{subject}/erase")
async def plan(
    request: Request,
    subject: Subject,
    _: Manager,
    kirjuri: Facade,
    request_id: RequestRef = "",
    remove_objection: bool = False,
) -> Response:
    """What erasure would do, and the form that confirms it."""
    shown = kirjuri.erasure_plan(
        subject, lang=_lang(request), remove_objection=remove_objection
    )
    return _plan_page(request, shown, request_id, remove_objection, None)


@router.post("/people/{subject}/erase", dependencies=[Depends(csrf_checked)])
async def erase(
    request: Request,
    subject: Subject,
    person: Manager,
    kirjuri: Facade,
    confirm: Annotated[str, Form(max_length=300)] = "",
    request_id: FormRequestRef = "",
    remove_objection: Annotated[bool, Form()] = False,
) -> Response:
    """Erase once the person's id was typed; else the plan again, refused."""
    try:
        done = kirjuri.erase_confirmed(
            subject,
            confirm,
            lang=_lang(request),
            request_id=request_id or None,
            remove_objection=remove_objection,
            by=person.name,
        )
    except InvalidCommand as err:
        if err.field != "confirm":
            raise
        shown = kirjuri.erasure_plan(
            subject, lang=_lang(request), remove_objection=remove_objection
        )
        return _plan_page(request, shown, request_id, remove_objection, str(err))
    return render(
        request,
        "erase/done.html",
        {"done": done, "plan": done.plan},
        title=done.plan.subject,
        page="people",
    )


def _lang(request: Request) -> Language:
    return "fi" if lang_of(request) == "fi" else "en"


def _plan_page(
    request: Request,
    shown: object,
    request_id: str,
    remove_objection: bool,
    error: str | None,
) -> Response:
    context = {
        "plan": shown,
        "request_id": request_id,
        "remove_objection": remove_objection,
        "error": error,
    }
    return render(
        request,
        "erase/plan.html",
        context,
        title="erase",
        page="people",
        status=200 if error is None else 422,
    )
