"""The audit index: history with every filter of ``kirjuri history``, in
pages (a cursor) or streamed whole as CSV or JSON lines; findings and
their acknowledgements."""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.auth import allowed, facade, within_reach
from api.history_query import HistoryQuery
from api.problems import Refused
from api.routers.commands import IdempotencyKey
from commands.models import CommandId, Note
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from commands.usecases.views import FindingAcknowledged, FindingRow, HistoryRow

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

router = APIRouter(prefix="/v1", tags=["history"])

PAGE, STREAM_PAGE = 100, 1000
_STREAMS = {
    "text/csv": {"schema": {"type": "string"}},
    "application/x-ndjson": {"schema": {"type": "string"}},
}


class HistoryPage(BaseModel):
    items: list[HistoryRow]
    next_cursor: int | None  # give it as ``cursor`` for the next page


@router.get(
    "/history", response_model=HistoryPage, responses={200: {"content": _STREAMS}}
)
async def history(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    where: Annotated[HistoryQuery, Depends()],
    cursor: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE,
    format: Literal["json", "csv", "jsonl"] = "json",
) -> HistoryPage | Response:
    """Events' clear metadata, oldest first, filtered exactly."""
    query = partial(kirjuri.history, **where.filters(caller))
    if format != "json":
        # The first page now: a bad filter is a problem, not a cut stream.
        first = query(limit=STREAM_PAGE, after=cursor)
        media = "text/csv" if format == "csv" else "application/x-ndjson"
        return StreamingResponse(_stream(query, first, format), media_type=media)
    rows = query(limit=limit + 1, after=cursor)
    more = len(rows) > limit
    rows = rows[:limit]
    return HistoryPage(
        items=rows, next_cursor=rows[-1].notification_id if more else None
    )


async def _stream(
    query: Callable[..., list[HistoryRow]], rows: list[HistoryRow], form: str
) -> AsyncIterator[str]:
    columns = HistoryRow.columns()
    if form == "csv":
        yield ",".join(columns) + "\r\n"
    while rows:
        out = io.StringIO()
        for row in rows:
            record = row.model_dump(mode="json")
            if form == "csv":
                csv.writer(out).writerow([record.get(c) for c in columns])
            else:
                out.write(json.dumps(record) + "\n")
        yield out.getvalue()
        if len(rows) < STREAM_PAGE:
            return
        rows = query(limit=STREAM_PAGE, after=rows[-1].notification_id)


@router.get("/findings", response_model=list[FindingRow])
async def findings(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    subject: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    unacknowledged: bool = False,
) -> list[FindingRow]:
    """Every recorded processing that breached the policy, each with who
    acknowledged it, when, with what note (``unacknowledged``: only those
    nobody did)."""
    within_reach(caller, subject)
    return kirjuri.findings(subject, unacknowledged=unacknowledged, caller=caller)


FindingId = Annotated[int, Path(ge=1, le=2**62, description="its sequence number")]


@router.get("/findings/{finding_id}", response_model=FindingRow)
async def finding(
    finding_id: FindingId,
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> FindingRow:
    """One finding with its acknowledgements."""
    return kirjuri.finding(finding_id, caller=caller)


class AcknowledgementAsked(BaseModel):
    note: Note
    command_id: CommandId = None


@router.post(
    "/findings/{finding_id}/acknowledgements",
    status_code=201,
    response_model=FindingAcknowledged,
    responses={200: {"model": FindingAcknowledged, "description": "a duplicate"}},
)
async def acknowledge(
    finding_id: FindingId,
    asked: AcknowledgementAsked,
    caller: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    response: Response,
    key: IdempotencyKey = None,
) -> FindingAcknowledged:
    """Take note of a finding with a note of what was done (a new event; the
    finding never changes). A retry with the same ``Idempotency-Key`` (or
    ``command_id``) writes nothing and answers 200 with ``duplicate``."""
    if key is not None and asked.command_id not in (None, key):
        raise Refused(422, "command_id: differs from Idempotency-Key", "command_id")
    done = kirjuri.acknowledge_finding(
        finding_id, asked.note, by=caller.name, command_id=key or asked.command_id
    )
    if done.duplicate:
        response.status_code = 200
    return done
