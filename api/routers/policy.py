"""The adopted policy: what each field of a command may name."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends

from api.auth import allowed, facade
from commands.service import Kirjuri
from commands.usecases.identities import Caller
from commands.usecases.views import PolicyItem

router = APIRouter(prefix="/v1", tags=["policy"])

Kind = Literal[
    "purposes", "recipients", "categories", "sources", "channels", "retention"
]


@router.get("/policy/{kind}", response_model=list[PolicyItem])
async def policy_items(
    kind: Kind,
    _: Annotated[Caller, Depends(allowed("policy"))],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> list[PolicyItem]:
    return kirjuri.policy_items(kind)
