"""Data-subject requests: the register (open, overdue) and their handling,
each a command recorded on the person's stream (a dpo's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query

from api.auth import allowed, facade, within_reach
from api.schemas import CommandAnswer
from commands.models import parse_command
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from commands.usecases.views import RequestRow, RetentionRow

router = APIRouter(prefix="/v1", tags=["requests"])

_ACTIONS = {
    "extend": "extend-request",
    "answer": "answer-request",
    "refuse": "refuse-request",
    "excessive": "excessive-request",
}
Fields = Annotated[
    dict[str, Any],
    Body(description="the command's fields, as for kirjuri apply (no kind)"),
]


@router.get("/requests", response_model=list[RequestRow])
async def requests(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    subject: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    status: Literal["all", "open", "overdue"] = "all",
) -> list[RequestRow]:
    """The register, with each request's deadline."""
    within_reach(caller, subject)
    rows = kirjuri.requests(subject, open_only=status != "all", caller=caller)
    return [r for r in rows if r.overdue] if status == "overdue" else rows


@router.post("/requests", status_code=201, response_model=CommandAnswer)
async def receive(
    fields: Fields,
    caller: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> CommandAnswer:
    """A request received (access, erasure, …) with its channel and day."""
    command = parse_command({"reported_by": caller.name, **fields, "kind": "request"})
    outcome = kirjuri.execute(command)
    return CommandAnswer.of(outcome, kirjuri.sequences(outcome))


@router.post("/requests/{request_id}/{action}", response_model=CommandAnswer)
async def handle(
    request_id: Annotated[str, Path(max_length=64)],
    action: Literal["extend", "answer", "refuse", "excessive"],
    fields: Fields,
    caller: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> CommandAnswer:
    """Extend, answer, refuse a request, or find it excessive."""
    command = parse_command(
        {
            "reported_by": caller.name,
            **fields,
            "kind": _ACTIONS[action],
            "request_id": request_id,
        }
    )
    outcome = kirjuri.execute(command)
    return CommandAnswer.of(outcome, kirjuri.sequences(outcome))


@router.get("/retention", response_model=list[RetentionRow])
async def retention(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> list[RetentionRow]:
    """Per category: subjects holding it, on which ground, when due (a
    regulator: its subjects, as they stood at its window's end)."""
    return kirjuri.retention_report(caller=caller)
