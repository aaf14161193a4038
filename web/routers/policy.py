"""Policy: purposes with their legal bases, recipients with countries and
safeguards, categories with retention (the policy in force)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.auth import RIGHTS, facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from ledger import clock
from projections.reports.ropa_render import (
    record_csv,
    record_html,
    record_json,
    record_pdf,
)
from web.auth import require
from web.render import lang_of, render
from web.texts import text

router = APIRouter()


@router.get("/policy")
async def policy(
    request: Request,
    person: Annotated[Person, Depends(require("policy"))],
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
            "may_record": person.role in RIGHTS["audit"],
        },
        title=text("nav.policy", lang_of(request)),
        page="policy",
    )


_MEDIA = {
    "html": ("text/html", "html"),
    "pdf": ("application/pdf", "pdf"),
    "csv": ("text/csv", "csv"),
    "json": ("application/json", "json"),
}
Moment = Annotated[str, Query(max_length=40)]


@router.get("/policy/record")
async def processing_record(
    _: Annotated[Person, Depends(require("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    since: Moment = "",
    until: Moment = "",
    lang: Literal["fi", "en"] = "fi",
    format: Literal["html", "pdf", "csv", "json", "signed"] = "html",
) -> Response:
    """The Art. 30(1) record for the period, as a download (no personal
    value: the same for every role that may audit); ``signed``: verifiable
    offline with ``kirjuri verify-ropa`` (docs/evidence.md §8)."""
    start = clock.parse_moment(since, "since") if since.strip() else None
    end = clock.parse_moment(until, "until") if until.strip() else None
    if format == "signed":
        signed = kirjuri.signed_processing_record(since=start, until=end, language=lang)
        name = f"record-of-processing-{lang}.signed.json"
        return Response(
            json.dumps(signed, indent=2, ensure_ascii=False),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )
    record = kirjuri.processing_record(since=start, until=end, language=lang)
    render_as = {
        "html": record_html,
        "pdf": record_pdf,
        "csv": record_csv,
        "json": record_json,
    }
    media, suffix = _MEDIA[format]
    disposition = f'attachment; filename="record-of-processing-{lang}.{suffix}"'
    return Response(
        render_as[format](record),
        media_type=media,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
