"""Exchange formats (docs/exchange.md): consent records as ISO/IEC TS 27560
records and the policy, both in W3C DPV JSON-LD. No personal value is in
them (subjects by pseudonymous id), so they are the audit right's, within a
regulator's window and subjects; the policy is everyone's."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth import allowed, facade, within_reach
from commands.service import Kirjuri
from commands.usecases.identities import Caller

router = APIRouter(prefix="/v1", tags=["exchange"])

JSON_LD = "application/ld+json"
_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {JSON_LD: {"schema": {"type": "object"}}}}
}
Subject = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        description="subject id (or a unique prefix of 8+ characters) or email",
    ),
]


class JsonLd(JSONResponse):
    media_type = JSON_LD

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False).encode()


@router.get(
    "/subjects/{subject}/consent-records",
    response_class=JsonLd,
    responses=_DOCUMENT,
)
async def consent_records(
    subject: Subject,
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> JsonLd:
    """The subject's consents as ISO/IEC TS 27560 records (DPV JSON-LD)."""
    within_reach(caller, subject)
    return JsonLd(kirjuri.consent_records(subject, caller=caller))


@router.get("/consent-records", response_class=JsonLd, responses=_DOCUMENT)
async def all_consent_records(
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> StreamingResponse:
    """Every subject's consent records (a limited token: its subjects and
    window), streamed as one JSON-LD document."""
    return StreamingResponse(
        kirjuri.all_consent_records(caller=caller), media_type=JSON_LD
    )


@router.get("/policy-dpv", response_class=JsonLd, responses=_DOCUMENT)
async def policy_dpv(
    _: Annotated[Caller, Depends(allowed("policy"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> JsonLd:
    """The policy in force as W3C DPV JSON-LD: activities, purposes, bases,
    recipients with their roles, transfers with safeguards, retention."""
    return JsonLd(kirjuri.policy_dpv())
