"""Answer a request: the register, recording a request, extending it (only
within the first month), previewing and downloading the answer (FI/EN, HTML,
JSON, PDF) and marking it answered or refused. Managing is a dpo's; the
register and the preview are an auditor's too (values masked, a purpose
asked first)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import RIGHTS, facade
from commands.models import parse_command
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from ledger.errors import InvalidCommand
from ledger.events import RequestType
from projections.reports.render import render_html, render_json, render_pdf
from web.auth import PageRefused, csrf_checked, purpose, require
from web.render import lang_of, render

router = APIRouter()

Facade = Annotated[Kirjuri, Depends(facade)]
Manager = Annotated[Person, Depends(require("manage"))]
Looker = Annotated[Person, Depends(require("consult"))]
Lister = Annotated[Person, Depends(require("audit"))]
Purpose = Annotated[str | None, Depends(purpose)]
RequestId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Lang = Literal["fi", "en"]
Text = Annotated[str, Form(max_length=2000)]
CHECKED = [Depends(csrf_checked)]
TYPES = tuple(t.value for t in RequestType)
_ACTIONS = {"extend": "extend-request", "answer": "answer-request"}
_ACTIONS |= {"refuse": "refuse-request"}
# The report's own document, framed by the preview: its inline style only.
_REPORT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline';"
    " img-src data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@router.get("/requests")
async def register(
    request: Request,
    person: Lister,
    kirjuri: Facade,
    status: Literal["open", "overdue", "all"] = "open",
    subject: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The register, overdue first, and (for a dpo) the form to record one."""
    chosen = (subject or "").strip() or None
    rows = kirjuri.requests(chosen, open_only=status != "all", caller=person)
    if status == "overdue":
        rows = [r for r in rows if r.overdue]
    return _register_page(request, kirjuri, person, rows, status, {}, None)


@router.post("/requests", dependencies=CHECKED)
async def record(
    request: Request,
    person: Manager,
    kirjuri: Facade,
    subject: Annotated[str, Form(max_length=300)] = "",
    type: Annotated[str, Form(max_length=40)] = "",
    channel: Annotated[str, Form(max_length=64)] = "",
    received_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """A request received: to its own page to preview and answer it."""
    form = {"subject": subject, "type": type, "channel": channel}
    form["received_on"] = received_on
    fields: dict[str, Any] = {"kind": "request", "reported_by": person.name}
    fields |= {"subject": subject.strip(), "type": type, "channel": channel}
    if received_on.strip():
        fields["received_on"] = received_on.strip()
    try:
        outcome = kirjuri.execute(parse_command(fields))
    except InvalidCommand as err:
        return _register_page(request, kirjuri, person, [], "open", form, err, 422)
    return RedirectResponse(f"/requests/{outcome.request_id}", status_code=303)


@router.get("/requests/{request_id}")
async def one(
    request: Request, request_id: RequestId, person: Lister, kirjuri: Facade
) -> Response:
    """A request, its deadline, and what may be done with it."""
    row = kirjuri.request(request_id, caller=person)
    return _request_page(request, person, row, None)


@router.post("/requests/{request_id}/{action}", dependencies=CHECKED)
async def handle(
    request: Request,
    request_id: RequestId,
    action: Literal["extend", "answer", "refuse"],
    person: Manager,
    kirjuri: Facade,
    reason: Text = "",
    reason_fi: Text = "",
) -> Response:
    """Extend, answer or refuse; a refusal by the policy is said on the page."""
    fields: dict[str, Any] = {"kind": _ACTIONS[action], "request_id": request_id}
    fields["reported_by"] = person.name
    if action != "answer":
        fields["reason"] = reason
        if reason_fi.strip():
            fields["reason_fi"] = reason_fi
    try:
        kirjuri.execute(parse_command(fields))
    except InvalidCommand as err:
        row = kirjuri.request(request_id)
        error = {"action": action, "text": str(err), "reason": reason}
        return _request_page(request, person, row, error | {"reason_fi": reason_fi})
    return RedirectResponse(f"/requests/{request_id}?done={action}", status_code=303)


@router.get("/requests/{request_id}/preview")
async def preview(
    request: Request,
    request_id: RequestId,
    person: Looker,
    why: Purpose,
    kirjuri: Facade,
    lang: Lang | None = None,
    kind: Literal["access", "portability"] = "access",
) -> Response:
    """The answer as the person will read it, with its findings warning
    (an access report), or the portability export (a dpo's)."""
    chosen: Lang = lang or ("fi" if lang_of(request) == "fi" else "en")
    context: dict[str, Any] = {"request_id": request_id, "answer_lang": chosen}
    if kind == "portability":
        if person.role not in RIGHTS["export"]:
            raise PageRefused(403, "error.403")
        export = kirjuri.export("request:" + request_id, caller=person, purpose=why)
        context |= {"export_json": export.model_dump_json(indent=2)}
    else:
        # The framed answer is fetched (and put on the person's record as one
        # look) by the frame; the page around it reads no values.
        row, has_findings = kirjuri.answer_preview(request_id, caller=person)
        context |= {"subject_id": row.subject_id, "has_findings": has_findings}
    return render(request, "requests/preview.html", context, title=request_id)


@router.get("/requests/{request_id}/answer.{form}")
async def download(
    request_id: RequestId,
    form: Literal["html", "json", "pdf"],
    person: Looker,
    why: Purpose,
    kirjuri: Facade,
    lang: Lang = "fi",
    inline: bool = False,
) -> Response:
    """The access report as a file (inline: the HTML framed by the preview)."""
    report = kirjuri.access_report(
        "request:" + request_id,
        lang=lang,
        request=request_id,
        caller=person,
        purpose=why,
    )
    name = f"answer-{request_id}-{lang}.{form}"
    headers = dict(_REPORT_HEADERS)
    if not (inline and form == "html"):
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if form == "pdf":
        return Response(
            render_pdf(report), media_type="application/pdf", headers=headers
        )
    if form == "json":
        return Response(
            render_json(report), media_type="application/json", headers=headers
        )
    return Response(render_html(report), media_type="text/html", headers=headers)


@router.get("/requests/{request_id}/export.json")
async def portability(
    request_id: RequestId,
    person: Annotated[Person, Depends(require("export"))],
    kirjuri: Facade,
) -> Response:
    """Art. 20: what the person provided, structured, as a file."""
    export = kirjuri.export("request:" + request_id, caller=person)
    name = f"portability-{request_id}.json"
    headers = dict(_REPORT_HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(
        export.model_dump_json(indent=2), media_type="application/json", headers=headers
    )


def _register_page(
    request: Request,
    kirjuri: Kirjuri,
    person: Person,
    rows: list[Any],
    status: str,
    form: dict[str, str],
    error: InvalidCommand | None,
    code: int = 200,
) -> Response:
    manage = person.role in RIGHTS["manage"]
    channels = kirjuri.policy_items("channels") if manage else []
    context = {
        "rows": rows,
        "status": status,
        "form": form,
        "error": None if error is None else str(error),
        "error_field": None if error is None else error.field,
        "types": TYPES,
        "channels": channels,
    }
    return render(
        request,
        "requests/index.html",
        context,
        title="requests.title",
        page="requests",
        status=code,
    )


def _request_page(
    request: Request, person: Person, row: Any, error: dict[str, str] | None
) -> Response:
    context = {
        "row": row,
        "error": error,
        "done": request.query_params.get("done"),
        "manage": person.role in RIGHTS["manage"],
    }
    return render(
        request,
        "requests/request.html",
        context,
        title=row.request_id,
        page="requests",
        status=200 if error is None else 422,
    )
