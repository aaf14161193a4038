"""Today: what is due, what is new, how the proofs stand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from web.auth import require
from web.render import lang_of, render
from web.texts import text

router = APIRouter()


@router.get("/")
async def today(
    request: Request,
    _: Annotated[Person, Depends(require("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> Response:
    view = kirjuri.today()
    return render(
        request,
        "today/index.html",
        {"view": view},
        title=text("nav.today", lang_of(request)),
        page="today",
    )
