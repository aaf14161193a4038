"""An inquiry bundle (docs/evidence.md §7) downloaded from the History page,
with the page's filters and a regulator's window and subjects; values stay
sealed unless a role that sees them ticks "open" and gives a purpose, which
is put on each person's record first."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from web.auth import require
from web.routers.history import HistoryForm, history_filters

router = APIRouter()


@router.get("/history/inquiry")
async def inquiry_bundle(
    person: Annotated[Person, Depends(require("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    form: Annotated[HistoryForm, Depends()],
    open: Annotated[str, Query(max_length=5)] = "",
    why: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    made = kirjuri.inquiry_for(
        person,
        access_purpose=why,
        open_values=bool(open),
        **history_filters(person, form.asked),
    )
    kind = "opened" if "opened" in made.bundle else "sealed"
    return Response(
        json.dumps(made.bundle, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="inquiry-{kind}.json"',
            "Cache-Control": "no-store",
        },
    )
