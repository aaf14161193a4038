"""Inquiry bundles (docs/evidence.md §7) over the API: the filters of
``history``, within a regulator's window and subjects; values sealed unless
a role that sees values asks ``open`` with a purpose (``X-Purpose``), which
is put on each person's record first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api.auth import Purpose, allowed, facade, within_reach
from api.moments import MomentQuery, parsed
from commands.service import Kirjuri
from commands.usecases.identities import Caller

router = APIRouter(prefix="/v1", tags=["integrity"])

Name = Annotated[str | None, Query(max_length=64)]
_BUNDLE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}}
}


@router.get("/inquiry", response_class=JSONResponse, responses=_BUNDLE)
async def inquiry(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    why: Purpose = None,
    subject: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    recipient: Name = None,
    purpose: Name = None,
    category: Name = None,
    type: Name = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    since: MomentQuery = None,
    until: MomentQuery = None,
    open: bool = False,
) -> JSONResponse:
    """A ``kirjuri-inquiry/1`` bundle: the matching events as stored, each
    with its inclusion proof against one signed checkpoint; ``subject``
    alone gives all of a person's events with a completeness proof (not to a
    token limited to a period: its window is always added)."""
    start, end = within_reach(
        caller, subject, parsed(since, "since"), parsed(until, "until")
    )
    made = kirjuri.inquiry_for(
        caller,
        access_purpose=why,
        open_values=open,
        subject=subject,
        recipient=recipient,
        purpose=purpose,
        category=category,
        event_type=type,
        country=country,
        since=start,
        until=end,
    )
    return JSONResponse(made.bundle, headers={"Cache-Control": "no-store"})
