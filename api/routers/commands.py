"""Recording: one command, a batch of them, and ``check`` (writes nothing)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request, Response
from pydantic import BaseModel, Field

from api.auth import DPO_KINDS, allowed, facade
from api.metrics import count_outcome
from api.problems import Refused
from api.schemas import BatchAnswer, CheckAnswer, CommandAnswer
from commands.models import Command, Identifier, Moment, SubjectRef
from commands.service import Kirjuri
from commands.usecases.identities import Caller

router = APIRouter(prefix="/v1", tags=["commands"])

BATCH_LIMIT = 1000
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": BATCH_LIMIT,
                    "items": {},  # each line judged alone, as apply does
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


class CheckAsked(BaseModel):
    """An intended processing: would it be allowed now (or ``at``)?"""

    subject: SubjectRef
    purpose: Identifier
    categories: tuple[Identifier, ...] = Field(default=(), max_length=50)
    recipient: Identifier | None = None
    legal_basis: Identifier | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    at: Moment | None = None


def _may_record(caller: Caller, kind: str) -> None:
    if kind in DPO_KINDS and caller.role != "dpo":
        raise Refused(403, f"role {caller.role} may not record {kind}", "kind")


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[!-~]{1,128}$",
        description="the command's ``command_id``: a retry writes nothing",
    ),
]


@router.post(
    "/commands",
    status_code=201,
    response_model=CommandAnswer,
    responses={200: {"model": CommandAnswer, "description": "a duplicate"}},
)
async def record(
    command: Annotated[Command, Body()],
    caller: Annotated[Caller, Depends(allowed("record"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    request: Request,
    response: Response,
    key: IdempotencyKey = None,
) -> CommandAnswer:
    """One command of the tagged union ``kirjuri apply`` reads; answered
    201 once its events are stored, or 200 with ``duplicate`` when its
    ``command_id`` (or ``Idempotency-Key``) was recorded before."""
    _may_record(caller, command.kind)
    outcome = kirjuri.execute(_keyed(command, key))
    done = (0, 1) if outcome.duplicate else (1, 0)
    count_outcome(request, len(outcome.findings), recorded=done[0], duplicates=done[1])
    if outcome.duplicate:
        response.status_code = 200
    return CommandAnswer.of(outcome, kirjuri.sequences(outcome))


def _keyed(command: Any, key: str | None) -> Any:
    """The command with the header's key as its ``command_id``."""
    if key is None or command.command_id == key:
        return command
    if command.command_id is not None:
        raise Refused(422, "command_id: differs from Idempotency-Key", "command_id")
    given = command.model_dump(exclude_unset=True)  # its defaults stay defaults
    return type(command).model_validate({**given, "command_id": key})


@router.post("/commands/batch", response_model=BatchAnswer, openapi_extra=_BATCH_BODY)
async def record_batch(
    request: Request,
    caller: Annotated[Caller, Depends(allowed("record"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> BatchAnswer:
    """Up to 1,000 commands as a JSON array or JSON lines, answered per line
    (a line recorded before answers with its original sequence numbers and
    findings, as ``duplicate``)."""
    lines = _lines(await request.body(), request.headers.get("content-type", ""))
    for line in lines:
        kind = _kind_of(line)
        if kind is not None:
            _may_record(caller, kind)
    answer = BatchAnswer.of(kirjuri.apply(lines, per_line=True))
    count_outcome(
        request, answer.findings, recorded=answer.recorded, duplicates=answer.duplicates
    )
    return answer


@router.post("/check", response_model=CheckAnswer)
async def check(
    asked: CheckAsked,
    _: Annotated[Caller, Depends(allowed("check"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> CheckAnswer:
    """Whether an intended processing is allowed, with reasons; writes nothing."""
    result = kirjuri.check(
        asked.subject,
        asked.purpose,
        categories=asked.categories,
        recipient=asked.recipient,
        legal_basis=asked.legal_basis,
        country=asked.country,
        at=asked.at,
    )
    return CheckAnswer.of(result)


def _lines(body: bytes, content_type: str) -> list[str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body: not UTF-8", "body") from None
    if "json" in content_type and "ndjson" not in content_type:
        try:
            items: Any = json.loads(text)
        except ValueError:
            raise Refused(400, "body: not JSON", "body") from None
        if not isinstance(items, list):
            raise Refused(422, "body: give a JSON array of commands", "body")
        lines = [json.dumps(item) for item in items]
    else:
        lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise Refused(422, "body: no commands", "body")
    if len(lines) > BATCH_LIMIT:
        raise Refused(422, f"body: at most {BATCH_LIMIT} commands a batch", "body")
    return lines


def _kind_of(line: str) -> str | None:
    try:
        item = json.loads(line)
    except ValueError:
        return None  # reported on its line by apply
    kind = item.get("kind") if isinstance(item, dict) else None
    return kind if isinstance(kind, str) else None
