"""Inquiry bundles (docs/evidence.md §7) over the API: the filters of
``history``, within a regulator's window and subjects; values sealed unless
a role that sees values asks ``open`` with a purpose (``X-Purpose``), which
is put on each person's record first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.auth import Purpose, allowed, facade
from api.history_query import HistoryQuery
from commands.service import Kirjuri
from commands.usecases.identities import Caller

router = APIRouter(prefix="/v1", tags=["integrity"])

_BUNDLE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}}
}


@router.get("/inquiry", response_class=JSONResponse, responses=_BUNDLE)
async def inquiry(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    where: Annotated[HistoryQuery, Depends()],
    why: Purpose = None,
    open: bool = False,
) -> JSONResponse:
    """A ``kirjuri-inquiry/1`` bundle: the matching events as stored, each
    with its inclusion proof against one signed checkpoint; ``subject``
    alone gives all of a person's events with a completeness proof (not to a
    token limited to a period: its window is always added)."""
    made = kirjuri.inquiry_for(
        caller, access_purpose=why, open_values=open, **where.filters(caller)
    )
    return JSONResponse(made.bundle, headers={"Cache-Control": "no-store"})
