"""The record of processing activities (Art. 30(1)): no personal value, so
auditors and regulators read it whole; the observed period is theirs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from api.auth import allowed, facade
from api.moments import MomentQuery, parsed
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from projections.reports.ropa import ProcessingRecord
from projections.reports.ropa_render import (
    record_csv,
    record_html,
    record_markdown,
    record_pdf,
)

router = APIRouter(prefix="/v1", tags=["policy"])

_TEXT = {"schema": {"type": "string"}}
_TYPES: dict[str, dict[str, Any]] = {
    "text/html": _TEXT,
    "text/markdown": _TEXT,
    "text/csv": _TEXT,
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/ropa",
    response_model=ProcessingRecord,
    responses={200: {"content": _TYPES}},
)
async def processing_record(
    _: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    since: MomentQuery = None,
    until: MomentQuery = None,
    lang: Literal["fi", "en"] = "en",
    format: Literal["json", "html", "markdown", "csv", "pdf"] = "json",
) -> ProcessingRecord | Response:
    """The policy's activities beside the processing the ledger observed
    from ``since`` until ``until`` (exclusive), and where they differ."""
    record = kirjuri.processing_record(
        since=parsed(since, "since"), until=parsed(until, "until"), language=lang
    )
    if format == "html":
        return Response(record_html(record), media_type="text/html")
    if format == "markdown":
        return Response(record_markdown(record), media_type="text/markdown")
    if format == "csv":
        return Response(record_csv(record), media_type="text/csv")
    if format == "pdf":
        return Response(record_pdf(record), media_type="application/pdf")
    return record


_SIGNED: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}}
}


@router.get("/ropa/signed", response_class=JSONResponse, responses=_SIGNED)
async def signed_processing_record(
    _: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    since: MomentQuery = None,
    until: MomentQuery = None,
    lang: Literal["fi", "en"] = "en",
) -> JSONResponse:
    """The record as ``kirjuri-ropa/1``, verifiable offline with
    ``kirjuri verify-ropa`` (docs/evidence.md §8): the checkpoint it rests
    on, the period's disclosures and transfers proven, signed."""
    signed = kirjuri.signed_processing_record(
        since=parsed(since, "since"), until=parsed(until, "until"), language=lang
    )
    return JSONResponse(signed, headers={"Cache-Control": "no-store"})
