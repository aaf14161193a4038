"""Policy: purposes with their legal bases, recipients with countries and
safeguards, categories with retention (the policy in force)."""

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


@router.get("/policy")
async def policy(
    request: Request,
    _: Annotated[Person, Depends(require("policy"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> Response:
    adopted = kirjuri.policy()
    return render(
        request,
        "policy/index.html",
        {
            "policy": adopted,
            "retention": {r.id: r for r in adopted.retention},
            "types": {t.id: t for t in adopted.recipient_types},
        },
        title=text("nav.policy", lang_of(request)),
        page="policy",
    )
