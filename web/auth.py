"""Who is signed in, what their role lets them see, CSRF and purpose.

Dependencies for the pages' routes:

- ``signed_in``: the `Person` of the session cookie (a `Caller`, so the
  facade records and masks as for an API token); no live session sends the
  browser to the sign-in page, a first password to the password page.
- ``require(right)``: the person, if their role has ``right`` of
  ``api.auth.RIGHTS`` (else the 403 page); the same rights as the API.
- ``purpose``: for a page that shows a person's values: an auditor or a
  regulator is first asked why (kept in the session, recorded with each
  look through the facade).
- ``csrf_checked``: every POST must carry the form field ``csrf`` equal to
  ``csrf_token(request)`` (else the 403 page).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from api.auth import RIGHTS, facade
from commands.usecases.accounts import Person
from commands.usecases.identities import NotAuthenticated

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from starlette.responses import Response

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "PageRefused",
    "PasswordNeeded",
    "PurposeNeeded",
    "SignInNeeded",
    "csrf_checked",
    "csrf_token",
    "local_path",
    "purpose",
    "require",
    "set_cookie",
    "signed_in",
]

SESSION_COOKIE = "kirjuri_session"
CSRF_COOKIE = "kirjuri_csrf"  # before sign-in (the sign-in form's token)
CSRF_FIELD = "csrf"


class SignInNeeded(Exception):
    """No live session: to the sign-in page, and back to ``next`` after."""

    def __init__(self, next_path: str, *, ended: bool = False) -> None:
        super().__init__("sign in")
        self.next_path, self.ended = next_path, ended


class PasswordNeeded(Exception):
    """A first password must be replaced before anything else."""


class PurposeNeeded(Exception):
    """An auditor or regulator must say why before values are shown."""

    def __init__(self, next_path: str) -> None:
        super().__init__("purpose")
        self.next_path = next_path


class PageRefused(Exception):
    """A page answered with the error page (``message`` a text key)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def local_path(path: str | None, default: str = "/") -> str:
    """A path on this site to go back to (never another site's)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


async def signed_in(request: Request) -> Person:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise SignInNeeded(_here(request))
    try:
        person = facade(request).signed_in(session_id)
    except NotAuthenticated:
        raise SignInNeeded(_here(request), ended=True) from None
    request.state.person = person
    request.state.session_id = session_id
    if person.must_change and request.url.path != "/password":
        raise PasswordNeeded
    return person


def require(right: str) -> Callable[..., Awaitable[Person]]:
    """A dependency: the signed-in person, if their role has ``right``."""
    roles = RIGHTS[right]

    async def check(person: Annotated[Person, Depends(signed_in)]) -> Person:
        if person.role not in roles:
            raise PageRefused(403, "error.403")
        return person

    return check


async def purpose(
    request: Request, person: Annotated[Person, Depends(signed_in)]
) -> str | None:
    """The purpose of access of the session (asked first of masked roles)."""
    if person.masked and not person.purpose:
        raise PurposeNeeded(_here(request))
    return person.purpose


def _derived(session_id: str) -> str:
    # Bound to the session, and not its id: the page shows it, the cookie
    # stays HttpOnly.
    return hmac.new(session_id.encode(), b"kirjuri-csrf", hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token the forms of this page carry in their ``csrf`` field."""
    session_id = getattr(request.state, "session_id", None)
    if session_id:
        return _derived(session_id)
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.csrf = token  # the response sets the cookie (render)
    return str(token)


async def csrf_checked(request: Request) -> None:
    """Refuse a POST whose ``csrf`` field is not this browser's token."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    accepted = []
    if session_id := request.cookies.get(SESSION_COOKIE):
        accepted.append(_derived(session_id))
    if anonymous := request.cookies.get(CSRF_COOKIE):
        accepted.append(anonymous)
    if not isinstance(sent, str) or not any(
        hmac.compare_digest(sent.encode(), a.encode()) for a in accepted
    ):
        raise PageRefused(403, "error.csrf")


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None
) -> None:
    """HttpOnly, SameSite=Lax, Secure over TLS, for the whole site."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def sign_in_url(next_path: str) -> str:
    return "/sign-in?next=" + quote(local_path(next_path), safe="/")


def purpose_url(next_path: str) -> str:
    return "/purpose?next=" + quote(local_path(next_path), safe="/")
