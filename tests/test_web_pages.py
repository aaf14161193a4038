"""The web pages in-process on both backends: what a role may not do is
refused when called directly, the purpose of access is asked and recorded,
sign-ins are on the record, typed text is shown as text, accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from structlog.testing import capture_logs

from commands.models import parse_command
from commands.usecases import accounts
from ledger import clock
from ledger import events as ev
from ledger.keys import LEDGER_SUBJECT
from tests.api_helpers import REGISTER
from tests.rawdb import events_table
from tests.web_helpers import (
    PASSWORD,
    account,
    csrf_of,
    post_form,
    sign_in,
    signed_in,
    web_client,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from commands.service import Kirjuri

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def _aino(kirjuri: Kirjuri, **changes: str) -> str:
    outcome = kirjuri.execute(parse_command({**REGISTER, **changes}))
    return str(outcome.subject_id)


def test_typed_text_is_shown_as_text_in_every_page(kirjuri: Kirjuri) -> None:
    """A script in a name, a company, a hold's reason, a purpose, a search,
    a date and a sign-in name never reaches a page unescaped."""
    subject = _aino(kirjuri, name=XSS, company=XSS)
    kirjuri.execute(parse_command({"kind": "hold", "subject": subject, "reason": XSS}))
    dpo = signed_in(kirjuri, "dpo")
    pages = [
        dpo.get("/people", params={"q": XSS}),
        dpo.get("/people", params={"q": REGISTER["email"]}),
        dpo.get(f"/people/{subject}", params={"as_of": XSS}),
        dpo.get(f"/people/{subject}", params={"type": XSS}),
        post_form(dpo, "/access", {"name": XSS, "role": XSS}),
    ]
    auditor = signed_in(kirjuri, "auditor")
    pages.append(
        post_form(auditor, f"/purpose?next=/people/{subject}", {"purpose": XSS})
    )
    pages.append(auditor.get(f"/people/{subject}"))
    with web_client(kirjuri) as anonymous:
        token = csrf_of(anonymous.get("/sign-in").text)
        pages.append(
            anonymous.post(
                "/sign-in",
                data={"csrf": token, "name": XSS, "password": "x", "next": XSS},
            )
        )
    assert ESCAPED in pages[1].text  # the company, in the search result
    assert ESCAPED in pages[2].text and ESCAPED in pages[6].text  # the hold
    for page in pages:
        assert page.status_code < 500
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text


def test_a_page_refuses_bad_input_with_a_page_naming_the_field(
    kirjuri: Kirjuri,
) -> None:
    dpo = signed_in(kirjuri, "dpo")
    long = dpo.get("/people", params={"q": "x" * 300})
    assert long.status_code == 422 and "text/html" in long.headers["content-type"]
    assert "q: not valid" in long.text
    unknown = dpo.get("/people/ffffffff-0000-0000-0000-000000000000")
    assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]
    assert dpo.get("/no-such-page").status_code == 404
    api = dpo.get("/v1/no-such-route")
    assert api.headers["content-type"] == "application/problem+json"


def test_a_role_is_refused_what_it_may_not_do_when_called_directly(
    kirjuri: Kirjuri,
) -> None:
    subject = _aino(kirjuri)
    auditor = signed_in(kirjuri, "auditor")
    assert auditor.get("/access").status_code == 403
    home = auditor.get("/").text
    assert 'href="/access"' not in home
    created = auditor.post(
        "/access/tokens",
        data={"csrf": csrf_of(home), "name": "sneaky", "role": "dpo"},
    )
    assert created.status_code == 403
    assert all(t.name != "sneaky" for t in kirjuri.list_tokens())
    found = auditor.get("/people", params={"q": REGISTER["email"]})
    assert REGISTER["email"] not in found.text  # only a dpo searches
    regulator = signed_in(
        kirjuri,
        "regulator",
        subjects=[_aino(kirjuri, email="other@example.fi")],
        expires=timedelta(days=7),
    )
    added = regulator.post(
        "/access/users",
        data={"csrf": csrf_of(regulator.get("/").text), "name": "x", "role": "dpo"},
    )
    assert added.status_code == 403
    post_form(regulator, "/purpose", {"purpose": "inquiry 17"})
    assert regulator.get(f"/people/{subject}").status_code == 403


def test_an_auditor_gives_a_purpose_that_is_recorded_with_each_look(
    kirjuri: Kirjuri,
) -> None:
    subject = _aino(kirjuri)
    auditor = signed_in(kirjuri, "auditor")
    asked = auditor.get(f"/people/{subject}")
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/purpose?next=/people/")
    assert post_form(auditor, "/purpose", {"purpose": " "}).status_code == 422
    given = post_form(
        auditor, f"/purpose?next=/people/{subject}", {"purpose": "annual audit"}
    )
    assert given.status_code == 303
    page = auditor.get(f"/people/{subject}")
    assert page.status_code == 200
    assert REGISTER["name"] not in page.text and "•••" in page.text
    looks = [
        e
        for e in kirjuri.ledger.stream(kirjuri.resolve(subject))
        if isinstance(e, ev.SubjectConsulted)
    ]
    assert [(e.role, e.view, e.purpose, e.reported_by) for e in looks] == [
        ("auditor", "person_page", "annual audit", "web")
    ]


def test_sign_ins_and_refusals_are_recorded_without_the_password(
    kirjuri: Kirjuri,
) -> None:
    name = account(kirjuri, "dpo")
    with capture_logs() as logs, web_client(kirjuri) as client:
        assert sign_in(client, name, "guess-" + PASSWORD).status_code == 401
        assert sign_in(client, "nobody_here", PASSWORD).status_code == 401
        assert sign_in(client, name).status_code == 303
    stream = kirjuri.ledger.stream(LEDGER_SUBJECT)
    kinds = [type(e).__name__ for e in stream][-3:]
    assert kinds == ["SignInFailed", "SignInFailed", "SignedIn"]
    stored = "".join(e.model_dump_json() for e in stream)
    assert PASSWORD not in stored and "nobody_here" not in stored
    assert PASSWORD not in repr(logs)


def test_five_refusals_in_a_row_lock_the_account_for_a_while(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = account(kirjuri, "dpo")
    with web_client(kirjuri) as client:
        for _ in range(accounts.LOCK_AFTER):
            assert "Wrong user name" in sign_in(client, name, "wrong").text
        locked = sign_in(client, name)
        assert locked.status_code == 401 and "locked" in locked.text
        later = clock.now() + accounts.LOCK_FOR + timedelta(minutes=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert sign_in(client, name).status_code == 303


def test_a_first_password_is_changed_before_anything_else(kirjuri: Kirjuri) -> None:
    issued = kirjuri.add_user("new_dpo", "dpo")
    with web_client(kirjuri) as client:
        first = sign_in(client, "new_dpo", issued.password)
        assert first.headers["location"] == "/password"
        assert client.get("/").headers["location"] == "/password"
        short = post_form(
            client,
            "/password",
            {"current": issued.password, "new": "short", "again": "short"},
        )
        assert short.status_code == 422 and "at least 12" in short.text
        done = post_form(
            client,
            "/password",
            {"current": issued.password, "new": PASSWORD, "again": PASSWORD},
        )
        assert done.headers["location"] == "/sign-in?changed=1"
        assert sign_in(client, "new_dpo", issued.password).status_code == 401
        assert sign_in(client, "new_dpo").status_code == 303


def test_users_are_added_listed_and_disabled_from_the_command_line(
    cli: Callable[..., tuple[int, str, str]], kirjuri: Kirjuri
) -> None:
    code, out, err = cli("users", "add", "maija_k", "--role", "auditor")
    assert code == 0 and "not shown again" in err
    password = out.strip()
    code, out, _ = cli("users", "list", "--format", "jsonl")
    assert '"name": "maija_k"' in out and password not in out
    code, _, err = cli("users", "add", "Bad Name", "--role", "dpo")
    assert code != 0 and "name" in err
    code, _, err = cli(
        "users", "add", "dpa", "--role", "regulator", "--window", "2025-01-01"
    )
    assert code != 0 and "window" in err
    # A regulator's account, like its token, always expires.
    code, _, err = cli(
        "users",
        "add",
        "dpa",
        "--role",
        "regulator",
        "--window",
        "2025-01-01..2025-06-30",
    )
    assert code == 65 and "expires: a regulator's account always expires" in err
    assert cli("users", "disable", "maija_k")[0] == 0
    kirjuri.catch_up()
    with web_client(kirjuri) as client:
        assert sign_in(client, "maija_k", password).status_code == 401


def test_today_warns_when_the_last_verify_found_problems(kirjuri: Kirjuri) -> None:
    """A failed verify is not hidden behind the last clean one."""
    kirjuri.execute(parse_command(REGISTER))
    kirjuri.checkpoint()
    assert kirjuri.verify().ok
    dpo = signed_in(kirjuri, "dpo")
    assert 'role="alert"' not in dpo.get("/").text
    table, column = events_table(kirjuri)
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute(f"UPDATE {table} SET topic = topic || 'x' WHERE {column} = 2")
    assert not kirjuri.verify().ok
    kirjuri.verify(start=3)  # a partial run does not clear it
    page = dpo.get("/").text
    assert 'role="alert"' in page
    assert "The last verify" in page and "may have been altered" in page
    assert "up to event" in page  # the last clean run is still told apart
