"""The pages Requests, Erase, Findings, History and Integrity in process
(a TestClient on the app, a test ledger on both backends): forms refused
without their CSRF token, roles refused by calling the action directly,
and what a person typed always shown as text."""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.test_erasure import rich_subject, run

if TYPE_CHECKING:
    from collections.abc import Iterator

    from commands.service import Kirjuri

PASSWORD = "a long test password"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """A signed-in client that carries the page's CSRF token in its forms."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def token(self, path: str = "/findings") -> str:
        found = _CSRF.search(self.client.get(path).text)
        assert found, "the page carries a CSRF token"
        return found.group(1)

    def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> Any:
        form = dict(data)
        if csrf:
            form["csrf"] = self.token()
        return self.client.post(path, data=form, follow_redirects=False)


@pytest.fixture
def app_client(kirjuri: Kirjuri) -> Iterator[TestClient]:
    app = create_app(lambda: nullcontext(kirjuri))
    with TestClient(app) as client:
        yield client


def signed_in(
    kirjuri: Kirjuri, client: TestClient, role: str, **window: Any
) -> Browser:
    name = f"test_{role}"
    issued = kirjuri.add_user(name, role, **window)
    kirjuri.change_password(issued.row.user_id, issued.password, PASSWORD)
    session_id, _ = kirjuri.sign_in(name, PASSWORD)
    client.cookies.set("kirjuri_session", session_id)
    browser = Browser(client)
    if role != "dpo":
        # An auditor says why before any value is shown.
        kirjuri.set_purpose(session_id, "annual audit")
    return browser


def test_forms_without_their_csrf_token_are_refused(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    subject = rich_subject(kirjuri)
    dpo = signed_in(kirjuri, app_client, "dpo")
    head = kirjuri.ledger.head()
    posts = {
        "/requests": {"subject": subject, "type": "access", "channel": "email"},
        f"/people/{subject}/erase": {"confirm": subject},
        "/findings/1/acknowledge": {"note": "seen"},
        "/integrity/verify": {},
    }
    for path, form in posts.items():
        answer = dpo.post(path, form, csrf=False)
        assert answer.status_code == 403, path
        answer = dpo.post(path, form | {"csrf": "forged"}, csrf=False)
        assert answer.status_code == 403, path
    assert kirjuri.ledger.head() == head, "nothing was written"


def test_an_auditor_is_refused_erasure_and_request_management(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="access",
        channel="email",
        request_id="R-1",
    )
    auditor = signed_in(kirjuri, app_client, "auditor")
    head = kirjuri.ledger.head()
    for path, form in {
        f"/people/{subject}/erase": {"confirm": subject},
        "/requests": {"subject": subject, "type": "access", "channel": "email"},
        "/requests/R-1/extend": {"reason": "busy"},
        "/requests/R-1/answer": {},
        "/requests/R-1/refuse": {"reason": "no"},
    }.items():
        assert auditor.post(path, form).status_code == 403, path
    assert kirjuri.ledger.head() == head
    assert auditor.get(f"/people/{subject}/erase").status_code == 403
    page = auditor.get("/requests/R-1").text
    assert "/requests/R-1/extend" not in page and "/requests/R-1/refuse" not in page


def test_an_auditor_sees_the_answer_with_values_masked(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="access",
        channel="email",
        request_id="R-2",
    )
    auditor = signed_in(kirjuri, app_client, "auditor")
    answer = auditor.get("/requests/R-2/answer.html?lang=en&inline=1")
    assert answer.status_code == 200
    assert "Aino Virtanen" not in answer.text
    assert "+358 40 123 4567" not in answer.text


def test_typed_text_is_shown_as_text_on_every_form(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="access",
        channel="email",
        request_id="R-3",
    )
    dpo = signed_in(kirjuri, app_client, "dpo")
    pages = [
        dpo.post("/requests", {"subject": XSS, "type": "access", "channel": "email"}),
        dpo.post("/requests/R-3/refuse", {"reason": XSS, "reason_fi": XSS}),
        dpo.post(f"/people/{subject}/erase", {"confirm": XSS, "request_id": ""}),
        dpo.get("/findings", params={"rule": XSS, "subject": XSS[:200]}),
        dpo.get("/history", params={"recipient": XSS[:60], "since": XSS}),
    ]
    for page in pages:
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text


def _finding(kirjuri: Kirjuri) -> tuple[str, int]:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="disclose",
        subject=subject,
        recipient="marketing_partner",
        categories=["email"],
        purpose="partner_marketing",
        at="2025-12-01",
    )
    found = kirjuri.findings_where(subject=subject, recipient="marketing_partner")
    return subject, found[0].finding_id


def test_an_acknowledgement_note_is_kept_beside_the_finding_and_shown_as_text(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    subject, finding_id = _finding(kirjuri)
    before = len(kirjuri.findings(subject))
    dpo = signed_in(kirjuri, app_client, "dpo")
    answer = dpo.post(f"/findings/{finding_id}/acknowledge", {"note": XSS})
    assert answer.status_code == 303
    page = dpo.get("/findings", params={"subject": subject}).text
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert" not in page
    assert len(kirjuri.findings(subject)) == before, "the finding stays"
    [noted] = [f for f in kirjuri.findings(subject) if f.finding_id == finding_id]
    assert [a.note for a in noted.acknowledgements] == [XSS]


def test_an_auditor_may_not_acknowledge_a_finding(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    subject, finding_id = _finding(kirjuri)
    auditor = signed_in(kirjuri, app_client, "auditor")
    answer = auditor.post(f"/findings/{finding_id}/acknowledge", {"note": "seen"})
    assert answer.status_code == 403
    assert all(not f.acknowledgements for f in kirjuri.findings(subject))
    assert "/acknowledge" not in auditor.get("/findings").text


def test_an_unknown_verify_run_and_a_bad_history_filter_are_pages_not_errors(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    auditor = signed_in(kirjuri, app_client, "auditor")
    missing = auditor.get("/integrity/verify/" + "0" * 32)
    assert missing.status_code == 422 and "verify run" in missing.text
    bad = auditor.get("/history", params={"recipient": "nobody_at_all"})
    assert bad.status_code == 422 and "recipient" in bad.text
    csv = auditor.get("/history.csv", params={"purpose": "nothing_such"})
    assert csv.status_code == 422
    assert csv.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_page_has_its_words_in_both_languages(
    kirjuri: Kirjuri, app_client: TestClient, lang: str
) -> None:
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="access",
        channel="email",
        request_id="R-4",
    )
    dpo = signed_in(kirjuri, app_client, "dpo")
    app_client.cookies.set("kirjuri_lang", lang)
    missing = re.compile(
        r"\b(requests|erase|findings|history|integrity|filter)\.[a-z_]+"
    )
    for path in (
        "/requests",
        "/requests/R-4",
        "/requests/R-4/preview",
        f"/people/{subject}/erase",
        "/findings",
        "/history",
        "/integrity",
    ):
        page = dpo.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{lang}">' in page.text
        words = re.sub(r"<[^>]*>", " ", page.text)  # the text, not the links
        assert not missing.search(words), (path, missing.search(words))


def test_a_preview_puts_one_look_on_the_persons_record(
    kirjuri: Kirjuri, app_client: TestClient
) -> None:
    """The page and the answer it frames are one look (C-579/21: the person
    is told each look; two for one preview would tell them wrong)."""
    subject = rich_subject(kirjuri)
    run(
        kirjuri,
        kind="request",
        subject=subject,
        type="access",
        channel="email",
        request_id="R-5",
    )
    dpo = signed_in(kirjuri, app_client, "dpo")
    page = dpo.get("/requests/R-5/preview?lang=fi")
    frame = dpo.get("/requests/R-5/answer.html?lang=fi&inline=1")
    assert page.status_code == frame.status_code == 200
    assert "/requests/R-5/answer.html?lang=fi&amp;inline=1" in page.text
    looks = kirjuri.access_report(subject).consultations
    assert [(c.role, c.view) for c in looks] == [("dpo", "access_report")]
