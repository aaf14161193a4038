"""Access (a dpo's): people's accounts and API tokens, their roles;
creating (the password or token shown once) and revoking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import PEOPLE_ROLES, Person
from commands.usecases.identities import ROLES, parse_duration
from ledger import clock
from ledger.errors import KirjuriError
from web.auth import csrf_checked, require
from web.render import lang_of, render
from web.texts import text

router = APIRouter()

Field = Annotated[str, Form(max_length=300)]
_DPO = require("manage")


def _page(
    request: Request, kirjuri: Kirjuri, status: int = 200, **shown: Any
) -> Response:
    context = {
        "users": kirjuri.list_users(),
        "tokens": kirjuri.list_tokens(),
        "people_roles": PEOPLE_ROLES,
        "token_roles": ROLES,
        "secret": None,
        "done": "",
        "error": "",
        "form": "",
    } | shown
    return render(
        request,
        "access/index.html",
        context,
        title=text("nav.access", lang_of(request)),
        page="access",
        status=status,
    )


@router.get("/access")
async def access(
    request: Request,
    _: Annotated[Person, Depends(_DPO)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
) -> Response:
    return _page(request, kirjuri)


@router.post("/access/users", dependencies=[Depends(csrf_checked)])
async def add_user(
    request: Request,
    _: Annotated[Person, Depends(_DPO)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    name: Field = "",
    role: Field = "",
    since: Field = "",
    until: Field = "",
    expires: Field = "",
) -> Response:
    try:
        issued = kirjuri.add_user(
            name.strip(),
            role,
            expires=parse_duration(expires) if expires.strip() else None,
            since=clock.parse_moment(since, "since") if since.strip() else None,
            until=_end_of_day(until),
        )
    except KirjuriError as err:
        return _page(request, kirjuri, 422, error=str(err), form="user")
    return _page(
        request,
        kirjuri,
        secret=issued.password,
        done=text("access.user_added", lang_of(request)).format(name=issued.row.name),
    )


@router.post("/access/users/disable", dependencies=[Depends(csrf_checked)])
async def disable_user(
    request: Request,
    _: Annotated[Person, Depends(_DPO)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    name: Field = "",
) -> Response:
    try:
        row = kirjuri.disable_user(name)
    except KirjuriError as err:
        return _page(request, kirjuri, 422, error=str(err))
    said = text("access.user_disabled", lang_of(request)).format(name=row.name)
    return _page(request, kirjuri, done=said)


@router.post("/access/tokens", dependencies=[Depends(csrf_checked)])
async def create_token(
    request: Request,
    _: Annotated[Person, Depends(_DPO)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    name: Field = "",
    role: Field = "",
    expires: Field = "",
    since: Field = "",
    until: Field = "",
) -> Response:
    try:
        issued = kirjuri.create_token(
            name.strip(),
            role,
            expires=parse_duration(expires) if expires.strip() else None,
            since=clock.parse_moment(since, "since") if since.strip() else None,
            until=_end_of_day(until),
        )
    except KirjuriError as err:
        return _page(request, kirjuri, 422, error=str(err), form="token")
    return _page(
        request,
        kirjuri,
        secret=issued.token,
        done=text("access.token_made", lang_of(request)).format(name=issued.row.name),
    )


@router.post("/access/tokens/revoke", dependencies=[Depends(csrf_checked)])
async def revoke_token(
    request: Request,
    _: Annotated[Person, Depends(_DPO)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    token_id: Field = "",
) -> Response:
    try:
        row = kirjuri.revoke_token(token_id)
    except KirjuriError as err:
        return _page(request, kirjuri, 422, error=str(err))
    said = text("access.token_revoked", lang_of(request)).format(name=row.name)
    return _page(request, kirjuri, done=said)


def _end_of_day(text_: str) -> Any:
    if not text_.strip():
        return None
    found = clock.parse_moment(text_, "until")
    if len(text_.strip()) == 10:
        return found.replace(hour=23, minute=59, second=59, microsecond=999999)
    return found
