"""A person's data: state, access report, export (each look recorded on
their stream), holds and erasure (a dpo's)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from api.auth import Purpose, allowed, facade, purpose_of
from api.moments import MomentQuery, parsed
from api.schemas import CommandAnswer
from commands.models import Reason, RequestId, parse_command
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from commands.usecases.views import ErasurePreview, SubjectRow, SubjectState
from projections.reports.export import PortabilityExport
from projections.reports.model import AccessReport
from projections.reports.render import render_html, render_markdown

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])

Subject = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        description="subject id (or a unique prefix of 8+ characters) or email",
    ),
]
_REPORT_TYPES = {
    "text/html": {"schema": {"type": "string"}},
    "text/markdown": {"schema": {"type": "string"}},
}


@router.get("", response_model=list[SubjectRow])
async def search(
    search: Annotated[str, Query(min_length=1, max_length=254)],
    _: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> list[SubjectRow]:
    """Subjects by email (any case), the start of a name, or a company."""
    return kirjuri.subjects(search)


@router.get("/{subject}/state", response_model=SubjectState)
async def state(
    subject: Subject,
    caller: Annotated[Caller, Depends(allowed("consult"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    purpose: Purpose = None,
    as_of: MomentQuery = None,
    known_at: MomentQuery = None,
) -> SubjectState:
    """Values held, consents, objections at a moment (masked for auditors)."""
    return kirjuri.state(
        subject,
        as_of=parsed(as_of, "as_of"),
        known_at=parsed(known_at, "known_at"),
        caller=caller,
        purpose=purpose_of(caller, purpose),
    )


@router.get(
    "/{subject}/access-report",
    response_model=AccessReport,
    responses={200: {"content": _REPORT_TYPES}},
)
async def access_report(
    subject: Subject,
    caller: Annotated[Caller, Depends(allowed("consult"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    purpose: Purpose = None,
    lang: Literal["fi", "en"] = "en",
    format: Literal["json", "html", "markdown"] = "json",
) -> AccessReport | Response:
    """Art. 15, as JSON, HTML or Markdown, in Finnish or English."""
    report = kirjuri.access_report(
        subject, lang=lang, caller=caller, purpose=purpose_of(caller, purpose)
    )
    if format == "html":
        return Response(render_html(report), media_type="text/html")
    if format == "markdown":
        return Response(render_markdown(report), media_type="text/markdown")
    return report


@router.get("/{subject}/export", response_model=PortabilityExport)
async def export(
    subject: Subject,
    caller: Annotated[Caller, Depends(allowed("export"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    purpose: Purpose = None,
) -> PortabilityExport:
    """Art. 20: what the person provided, structured and machine-readable."""
    return kirjuri.export(subject, caller=caller, purpose=purpose_of(caller, purpose))


class HoldAsked(BaseModel):
    reason: Reason


@router.post("/{subject}/holds", status_code=201, response_model=CommandAnswer)
async def place_hold(
    subject: Subject,
    asked: HoldAsked,
    caller: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> CommandAnswer:
    """A legal hold: the data is kept until released."""
    return _hold_command(kirjuri, "hold", subject, asked, caller)


@router.post("/{subject}/holds/release", response_model=CommandAnswer)
async def release_hold(
    subject: Subject,
    asked: HoldAsked,
    caller: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> CommandAnswer:
    """The hold released: the dispute is resolved."""
    return _hold_command(kirjuri, "release-hold", subject, asked, caller)


def _hold_command(
    kirjuri: Kirjuri, kind: str, subject: str, asked: HoldAsked, caller: Caller
) -> CommandAnswer:
    command = parse_command(
        {"kind": kind, "subject": subject, "reason": asked.reason}
        | {"reported_by": caller.name}
    )
    outcome = kirjuri.execute(command)
    return CommandAnswer.of(outcome, kirjuri.sequences(outcome))


class EraseAsked(BaseModel):
    dry_run: bool = True
    request_id: RequestId | None = None
    remove_objection: bool = False


class Erasure(BaseModel):
    """What erasure would do (``dry_run``, the default) or did."""

    preview: ErasurePreview | None = None
    done: CommandAnswer | None = None


@router.post("/{subject}/erase", response_model=Erasure)
async def erase(
    subject: Subject,
    asked: EraseAsked,
    _: Annotated[Caller, Depends(allowed("manage"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> Erasure:
    """Art. 17: a dry run unless ``dry_run`` is false."""
    if asked.dry_run:
        preview = kirjuri.preview_erasure(
            subject, remove_objection=asked.remove_objection
        )
        return Erasure(preview=preview)
    outcome = kirjuri.erase(
        subject, request_id=asked.request_id, remove_objection=asked.remove_objection
    )
    return Erasure(done=CommandAnswer.of(outcome, kirjuri.sequences(outcome)))
