"""Downloads of the exchange documents (docs/exchange.md): the policy and a
person's consent records in W3C DPV JSON-LD."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from web.auth import require

router = APIRouter()


def _download(document: dict[str, Any], name: str) -> Response:
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        media_type="application/ld+json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.jsonld"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/policy/dpv")
async def policy_dpv(
    _: Annotated[Person, Depends(require("policy"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> Response:
    """The policy in force as DPV (no personal value)."""
    return _download(kirjuri.policy_dpv(), "policy-dpv")


@router.get("/people/{subject}/consent-records")
async def consent_records(
    subject: str,
    person: Annotated[Person, Depends(require("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> Response:
    """The person's consents as ISO/IEC TS 27560 records, by pseudonymous id
    (a regulator's subjects and window apply)."""
    # The file is not named after the path: it may be an email.
    return _download(kirjuri.consent_records(subject[:300], caller=person), "consents")
