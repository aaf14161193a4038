"""What in-process tests of the web pages share: the app on the test ledger,
an account per role, a client signed in through the form, CSRF tokens."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from api.app import create_app

if TYPE_CHECKING:
    from commands.service import Kirjuri

PASSWORD = "a long test password"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def web_client(kirjuri: Kirjuri) -> TestClient:
    """A browser-like client in English (keeps cookies, follows no redirect)."""
    app = create_app(lambda: contextlib.nullcontext(kirjuri))
    return TestClient(
        app,
        raise_server_exceptions=False,
        follow_redirects=False,
        headers={"Accept-Language": "en"},
    )


def account(kirjuri: Kirjuri, role: str, name: str | None = None, **limits: Any) -> str:
    """An account of ``role`` whose password is PASSWORD; its name."""
    name = name or f"w_{role}"
    issued = kirjuri.add_user(name, role, **limits)
    kirjuri.change_password(issued.row.user_id, issued.password, PASSWORD)
    return name


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no csrf field in the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    """Sign in through the form; the answer (303 to the next page)."""
    token = csrf_of(client.get("/sign-in").text)
    return client.post(
        "/sign-in", data={"csrf": token, "name": name, "password": password}
    )


def signed_in(kirjuri: Kirjuri, role: str, **limits: Any) -> TestClient:
    """A client signed in as a new account of ``role``."""
    client = web_client(kirjuri)
    client.__enter__()
    answer = sign_in(client, account(kirjuri, role, **limits))
    assert answer.status_code == 303, answer.text
    return client


def post_form(client: TestClient, path: str, data: dict[str, str]) -> Any:
    """POST a form of the page at ``path`` with that page's CSRF token."""
    page = client.get(path)
    return client.post(path, data={"csrf": csrf_of(page.text), **data})
