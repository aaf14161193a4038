"""Integrity: the signed checkpoints, verify run as a job whose page shows
its progress (it refreshes itself: no script needed) and its result, and
the files an outside party checks with: the public key, the checkpoints and
a person's evidence file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import Person
from web.auth import csrf_checked, require
from web.render import render

router = APIRouter()

Facade = Annotated[Kirjuri, Depends(facade)]
Auditor = Annotated[Person, Depends(require("audit"))]
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
REFRESH = 2  # seconds between looks at a running verify
_FILE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/integrity")
async def overview(request: Request, _: Auditor, kirjuri: Facade) -> Response:
    """Checkpoints, the last verify, and what can be downloaded."""
    context = {"overview": kirjuri.integrity_overview()}
    return render(
        request, "integrity/index.html", context, title="integrity", page="integrity"
    )


@router.post("/integrity/verify", dependencies=[Depends(csrf_checked)])
async def start(
    _: Auditor,
    kirjuri: Facade,
    read_models: Annotated[bool, Form()] = False,
) -> Response:
    """Verify started in the background: to its status page."""
    job = kirjuri.start_verify(read_models=read_models)
    return RedirectResponse(f"/integrity/verify/{job.job_id}", status_code=303)


@router.get("/integrity/verify/{job_id}")
async def status(
    request: Request, job_id: JobId, _: Auditor, kirjuri: Facade
) -> Response:
    """How far verify got; the page looks again while it runs."""
    job = kirjuri.verify_job(job_id)
    response = render(
        request,
        "integrity/verify.html",
        {"job": job, "refresh": REFRESH},
        title="verify",
        page="integrity",
    )
    if job.state == "running":
        response.headers["Refresh"] = str(REFRESH)
    return response


@router.get("/integrity/public-key.txt")
async def public_key(_: Auditor, kirjuri: Facade) -> Response:
    """The key the checkpoints are signed with (a signed note's verifier)."""
    return _file(kirjuri.public_key() + "\n", "kirjuri-public-key.txt")


@router.get("/integrity/checkpoints.txt")
async def checkpoints(_: Auditor, kirjuri: Facade) -> Response:
    """Every signed checkpoint note, oldest first, a blank line between."""
    notes = [s.checkpoint.note.rstrip("\n") + "\n" for s in kirjuri.checkpoints()]
    return _file("\n".join(notes), "kirjuri-checkpoints.txt")


@router.get("/integrity/evidence")
async def evidence(
    person: Auditor,
    kirjuri: Facade,
    subject: Annotated[str, Query(min_length=1, max_length=300)],
) -> Response:
    """A person's events with inclusion proofs and the signed checkpoint."""
    proof = kirjuri.prove(subject=subject.strip(), caller=person)
    return Response(
        proof.model_dump_json(indent=2),
        media_type="application/json",
        headers=_FILE
        | {"Content-Disposition": 'attachment; filename="kirjuri-evidence.json"'},
    )


def _file(body: str, name: str) -> Response:
    headers = _FILE | {"Content-Disposition": f'attachment; filename="{name}"'}
    return PlainTextResponse(body, headers=headers)
