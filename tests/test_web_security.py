"""The web pages' guards, in-process on both backends: CSRF, cookies,
sessions, roles, escaping."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from commands.usecases import accounts
from ledger import clock
from tests.web_helpers import (
    PASSWORD,
    account,
    csrf_of,
    sign_in,
    signed_in,
    web_client,
)

if TYPE_CHECKING:
    import pytest

    from commands.service import Kirjuri


def test_a_post_without_the_csrf_token_is_refused(kirjuri: Kirjuri) -> None:
    name = account(kirjuri, "dpo")
    with web_client(kirjuri) as client:
        client.get("/sign-in")
        refused = client.post("/sign-in", data={"name": name, "password": PASSWORD})
        assert refused.status_code == 403
        assert "kirjuri_session" not in refused.cookies
        wrong = client.post(
            "/sign-in", data={"csrf": "x" * 43, "name": name, "password": PASSWORD}
        )
        assert wrong.status_code == 403
        assert sign_in(client, name).status_code == 303
        out = client.post("/sign-out", data={})
        assert out.status_code == 403
        assert client.get("/").status_code == 200  # still signed in


def test_the_session_cookie_is_httponly_samesite_and_secure_over_tls(
    kirjuri: Kirjuri,
) -> None:
    name = account(kirjuri, "dpo")
    with web_client(kirjuri) as client:
        plain = sign_in(client, name).headers["set-cookie"]
        assert "HttpOnly" in plain and "SameSite=lax" in plain
        assert "Secure" not in plain
    with web_client(kirjuri) as client:
        token = csrf_of(client.get("/sign-in").text)
        behind_tls = client.post(
            "/sign-in",
            data={"csrf": token, "name": name, "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https"},
        )
        cookie = behind_tls.headers["set-cookie"]
        assert "kirjuri_session=" in cookie and "Secure" in cookie


def test_signing_in_gives_a_new_session_id_and_ends_the_one_brought(
    kirjuri: Kirjuri,
) -> None:
    name = account(kirjuri, "dpo")
    with web_client(kirjuri) as client:
        first = sign_in(client, name).cookies["kirjuri_session"]
        second = sign_in(client, name).cookies["kirjuri_session"]
        assert first != second
    with web_client(kirjuri) as stale:
        stale.cookies.set("kirjuri_session", first)
        assert stale.get("/").status_code == 303  # the old id is gone
    with web_client(kirjuri) as planted:
        planted.cookies.set("kirjuri_session", "planted-by-someone-else")
        given = sign_in(planted, name).cookies["kirjuri_session"]
        assert given != "planted-by-someone-else"


def test_a_session_ends_when_idle_and_after_its_absolute_limit(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(kirjuri, "dpo")
    start = clock.now()
    assert client.get("/").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: start + accounts.IDLE + timedelta(1))
    ended = client.get("/")
    assert ended.status_code == 303 and "ended=1" in ended.headers["location"]
    monkeypatch.undo()
    client = signed_in(kirjuri, "auditor")
    moment = clock.now()
    # Busy all day: seen every 20 minutes, yet ended after ABSOLUTE.
    while moment - start < accounts.ABSOLUTE - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        monkeypatch.setattr(clock, "now", lambda m=moment: m)
        assert client.get("/").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: start + accounts.ABSOLUTE + timedelta(1))
    assert client.get("/").status_code == 303
