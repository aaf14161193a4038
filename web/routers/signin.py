"""Sign-in, sign-out, a person's password, the purpose of access, the
language switch."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from api.auth import facade
from commands.service import Kirjuri
from commands.usecases.accounts import Locked, Person
from commands.usecases.identities import NotAuthenticated
from ledger.errors import InvalidCommand
from web.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_checked,
    local_path,
    set_cookie,
    signed_in,
)
from web.render import LANG_COOKIE, lang_of, render
from web.texts import LANGUAGES, text

router = APIRouter()

Text = Annotated[str, Form(max_length=1024)]
_PURPOSE = re.compile(r"[^\x00-\x1f\x7f]{3,200}\Z")


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str = "/", ended: str = "") -> Response:
    notice = ""
    if ended:
        notice = "session.ended"
    elif "out" in request.query_params:
        notice = "signed_out"
    elif "changed" in request.query_params:
        notice = "password.done"
    return _sign_in_page(request, local_path(next), notice=notice)


def _sign_in_page(
    request: Request,
    next_path: str,
    *,
    notice: str = "",
    error: str = "",
    name: str = "",
) -> Response:
    return render(
        request,
        "signin/sign_in.html",
        {"next": next_path, "notice": notice, "error": error, "name": name},
        title=text("sign_in.title", lang_of(request)),
        status=401 if error else 200,
    )


@router.post("/sign-in", dependencies=[Depends(csrf_checked)])
async def sign_in(
    request: Request,
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    name: Text = "",
    password: Text = "",
    next: Text = "/",
) -> Response:
    try:
        session_id, person = kirjuri.sign_in(name.strip().lower(), password)
    except Locked:
        return _sign_in_page(request, local_path(next), error="sign_in.locked")
    except NotAuthenticated:
        return _sign_in_page(
            request, local_path(next), error="sign_in.refused", name=name
        )
    # A session id the browser brought along is never kept (no fixation).
    if old := request.cookies.get(SESSION_COOKIE):
        kirjuri.sign_out(old)
    target = "/password" if person.must_change else local_path(next)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, request, SESSION_COOKIE, session_id, None)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/sign-out", dependencies=[Depends(csrf_checked)])
async def sign_out(
    request: Request, kirjuri: Annotated[Kirjuri, Depends(facade)]
) -> Response:
    if session_id := request.cookies.get(SESSION_COOKIE):
        kirjuri.sign_out(session_id)
    response = RedirectResponse("/sign-in?out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/password")
async def password_form(
    request: Request, person: Annotated[Person, Depends(signed_in)]
) -> Response:
    return _password_page(request, person)


def _password_page(request: Request, person: Person, error: str = "") -> Response:
    return render(
        request,
        "signin/password.html",
        {"first": person.must_change, "error": error},
        title=text("password.title", lang_of(request)),
        status=422 if error else 200,
    )


@router.post("/password", dependencies=[Depends(csrf_checked)])
async def change_password(
    request: Request,
    person: Annotated[Person, Depends(signed_in)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    current: Text = "",
    new: Text = "",
    again: Text = "",
) -> Response:
    if new != again:
        return _password_page(
            request, person, text("password.mismatch", lang_of(request))
        )
    try:
        kirjuri.change_password(person.user_id, current, new)
    except InvalidCommand as err:
        return _password_page(request, person, str(err))
    response = RedirectResponse("/sign-in?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/purpose")
async def purpose_form(
    request: Request, person: Annotated[Person, Depends(signed_in)], next: str = "/"
) -> Response:
    return _purpose_page(request, person, local_path(next))


def _purpose_page(
    request: Request, person: Person, next_path: str, error: str = ""
) -> Response:
    return render(
        request,
        "signin/purpose.html",
        {"next": next_path, "error": error, "current": person.purpose or ""},
        title=text("purpose.title", lang_of(request)),
        status=422 if error else 200,
    )


@router.post("/purpose", dependencies=[Depends(csrf_checked)])
async def give_purpose(
    request: Request,
    person: Annotated[Person, Depends(signed_in)],
    kirjuri: Annotated[Kirjuri, Depends(facade)],
    purpose: Annotated[str, Form(max_length=1024)] = "",
    next: Text = "/",
) -> Response:
    given = purpose.strip()
    if not _PURPOSE.match(given):
        missing = text("purpose.missing", lang_of(request))
        return _purpose_page(request, person, local_path(next), missing)
    kirjuri.set_purpose(request.state.session_id, given)
    return RedirectResponse(local_path(next), status_code=303)


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(local_path(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(response, request, LANG_COOKIE, code, 365 * 24 * 3600)
    return response
