"""Signed checkpoints, proofs and evidence; the public note and key need no
token, so that outside witnesses can collect them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from api.auth import allowed, facade, within_reach
from api.problems import Refused
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from commands.usecases.views import ConsistencyProof, Evidence

router = APIRouter(prefix="/v1", tags=["integrity"])
_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}}
}


class CheckpointOut(BaseModel):
    size: int
    root: str  # hex
    timestamp: str
    note: str  # the signed note, as issued


class TrustedKey(BaseModel):
    from_size: int  # the first tree size it signs
    key: str


class PublicKey(BaseModel):
    public_key: str  # the current signing key
    keys: list[TrustedKey]  # every trusted key


@router.get("/checkpoints/latest", response_class=PlainTextResponse, responses=_TEXT)
async def latest(kirjuri: Annotated[Kirjuri, Depends(facade)]) -> PlainTextResponse:
    """The newest signed checkpoint as its note (no token needed)."""
    stored = kirjuri.checkpoints()
    if not stored:
        raise Refused(404, "checkpoint: none signed yet")
    return PlainTextResponse(stored[-1].checkpoint.note)


@router.get("/public-key", response_model=PublicKey)
async def public_key(kirjuri: Annotated[Kirjuri, Depends(facade)]) -> PublicKey:
    """The checkpoints' verifier keys (no token needed)."""
    keys = [TrustedKey(from_size=size, key=key) for size, key in kirjuri.public_keys()]
    return PublicKey(public_key=kirjuri.public_key(), keys=keys)


@router.get("/checkpoints", response_model=list[CheckpointOut])
async def checkpoints(
    _: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> list[CheckpointOut]:
    return [
        CheckpointOut(
            size=s.checkpoint.size,
            root=s.checkpoint.root.hex(),
            timestamp=s.checkpoint.timestamp.isoformat(),
            note=s.checkpoint.note,
        )
        for s in kirjuri.checkpoints()
    ]


@router.get("/subjects/{subject}/evidence", response_model=Evidence)
async def subject_evidence(
    subject: Annotated[str, Path(min_length=1, max_length=300)],
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    hashes_only: bool = False,
) -> Evidence:
    """A subject's events with inclusion proofs and the signed checkpoint."""
    within_reach(caller, subject)
    return kirjuri.prove(subject=subject, hashes_only=hashes_only, caller=caller)


@router.get("/proofs/consistency", response_model=ConsistencyProof)
async def consistency(
    _: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    from_size: Annotated[int, Query(alias="from", ge=0, le=2**62)],
    to_size: Annotated[int, Query(alias="to", ge=0, le=2**62)],
) -> ConsistencyProof:
    """RFC 9162: the tree of checkpoint ``to`` extends that of ``from`` (both
    sizes of signed checkpoints), with both signed notes."""
    return kirjuri.consistency(from_size, to_size)


# After /proofs/consistency: a sequence number is a number.
@router.get("/proofs/{sequence}", response_model=Evidence)
async def event_proof(
    sequence: Annotated[int, Path(ge=1, le=2**62)],
    caller: Annotated[Caller, Depends(allowed("audit"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    hashes_only: Annotated[bool, Query()] = True,
) -> Evidence:
    """One event's inclusion proof (by leaf hash unless asked otherwise)."""
    return kirjuri.prove(sequence=sequence, hashes_only=hashes_only, caller=caller)
