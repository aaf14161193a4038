"""The HTTP API in-process, on both backends: record, read, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.api_helpers import REGISTER, client, token
from tests.web_helpers import signed_in

if TYPE_CHECKING:
    import pytest

    from commands.service import Kirjuri


def test_a_command_is_answered_with_its_sequences_once_stored(kirjuri: Kirjuri) -> None:
    """POST /v1/commands records the command and names its stored events."""
    with client(kirjuri) as api:
        answer = api.post(
            "/v1/commands", json=REGISTER, headers=token(kirjuri, "ingest")
        )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["recorded"][0] == "SubjectRegistered"
    assert body["sequences"] and body["duplicate"] is False
    assert (
        kirjuri.history(subject=body["subject"])[0].notification_id
        == body["sequences"][0]
    )


def test_a_bad_command_is_a_problem_naming_its_field_and_writes_nothing(
    kirjuri: Kirjuri,
) -> None:
    """A malformed command: 422 problem+json, the CLI's one line, a pointer."""
    head = kirjuri.ledger.head()
    bad = {**REGISTER, "source": "nowhere", "email": "not an email at all x"}
    with client(kirjuri) as api:
        answer = api.post("/v1/commands", json=bad, headers=token(kirjuri, "dpo"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422 and problem["errors"][0]["pointer"].startswith("#/")
    assert "\n" not in problem["detail"]
    assert kirjuri.ledger.head() == head + 1  # only the token's event


def test_malformed_and_oversized_bodies_are_4xx_and_write_nothing(
    kirjuri: Kirjuri,
) -> None:
    headers = token(kirjuri, "dpo")
    head = kirjuri.ledger.head()
    with client(kirjuri, body_limit=1000) as api:
        broken = api.post(
            "/v1/commands",
            content=b'{"kind": "register", ',
            headers={**headers, "content-type": "application/json"},
        )
        big = api.post(
            "/v1/commands", json={**REGISTER, "name": "x" * 2000}, headers=headers
        )
        batch = api.post(
            "/v1/commands/batch",
            content=b"\xff\xfe",
            headers={**headers, "content-type": "application/x-ndjson"},
        )
        empty = api.post("/v1/commands/batch", json=[], headers=headers)
    assert broken.status_code == 422
    assert empty.status_code == 422  # no checkpoint signed for nothing
    assert big.status_code == 413
    assert big.headers["content-type"] == "application/problem+json"
    assert batch.status_code == 400
    assert kirjuri.ledger.head() == head


def test_a_batch_answers_per_line_like_apply(kirjuri: Kirjuri) -> None:
    lines = [REGISTER, {"kind": "nonsense"}, {**REGISTER, "email": "b@b.example"}]
    with client(kirjuri) as api:
        answer = api.post(
            "/v1/commands/batch", json=lines, headers=token(kirjuri, "ingest")
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["recorded"] == 2
    assert [r["line"] for r in body["rejected"]] == [2]
    assert body["rejected"][0]["error"].startswith("kind:")


def test_check_answers_with_reasons_and_writes_nothing(kirjuri: Kirjuri) -> None:
    headers = token(kirjuri, "ingest")
    with client(kirjuri) as api:
        subject = api.post("/v1/commands", json=REGISTER, headers=headers).json()
        head = kirjuri.ledger.head()
        answer = api.post(
            "/v1/check",
            json={"subject": subject["subject"], "purpose": "partner_marketing"},
            headers=headers,
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["allowed"] is False
    assert answer.json()["findings"]
    assert kirjuri.ledger.head() == head


def test_an_auditor_sees_a_masked_report_and_the_look_is_recorded(
    kirjuri: Kirjuri,
) -> None:
    """Every look at a person's values is an event on their stream."""
    with client(kirjuri) as api:
        made = api.post("/v1/commands", json=REGISTER, headers=token(kirjuri, "dpo"))
        subject = made.json()["subject"]
        auditor = token(kirjuri, "auditor")
        refused = api.get(f"/v1/subjects/{subject}/state", headers=auditor)
        state = api.get(
            f"/v1/subjects/{subject}/state",
            headers={**auditor, "X-Purpose": "annual audit"},
        )
    assert refused.status_code == 422
    assert state.status_code == 200, state.text
    assert "Aino" not in state.text
    looks = kirjuri.history(subject=subject, event_type="SubjectConsulted")
    assert len(looks) == 1
    assert looks[0].purposes == "annual audit"


def test_history_pages_with_a_cursor_and_streams_csv(kirjuri: Kirjuri) -> None:
    headers = token(kirjuri, "dpo")
    with client(kirjuri) as api:
        for n in range(3):
            api.post(
                "/v1/commands",
                json={**REGISTER, "email": f"p{n}@x.example"},
                headers=headers,
            )
        first = api.get("/v1/history?limit=2&type=SubjectRegistered", headers=headers)
        cursor = first.json()["next_cursor"]
        second = api.get(
            f"/v1/history?limit=2&type=SubjectRegistered&cursor={cursor}",
            headers=headers,
        )
        csv = api.get("/v1/history?format=csv&type=SubjectRegistered", headers=headers)
    assert len(first.json()["items"]) == 2
    assert len(second.json()["items"]) == 1 and second.json()["next_cursor"] is None
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == 4


def test_the_signed_note_and_the_key_need_no_token(kirjuri: Kirjuri) -> None:
    kirjuri.checkpoint()
    with client(kirjuri) as api:
        note = api.get("/v1/checkpoints/latest")
        key = api.get("/v1/public-key")
        health = api.get("/healthz")
        ready = api.get("/readyz")
        listed = api.get("/v1/checkpoints")
    assert note.status_code == 200 and note.text.startswith("kirjuri/")
    assert key.json()["public_key"] == kirjuri.public_key()
    assert health.status_code == ready.status_code == 200
    assert listed.status_code == 401
    assert listed.headers["content-type"] == "application/problem+json"


def test_the_access_report_tells_the_person_who_looked_and_why(
    kirjuri: Kirjuri,
) -> None:
    """C-579/21: dates, roles and purposes of consultations; no names."""
    with client(kirjuri) as api:
        made = api.post("/v1/commands", json=REGISTER, headers=token(kirjuri, "dpo"))
        subject = made.json()["subject"]
        api.get(
            f"/v1/subjects/{subject}/access-report",
            headers={**token(kirjuri, "auditor"), "X-Purpose": "vuositarkastus"},
        )
        report = api.get(
            f"/v1/subjects/{subject}/access-report?format=markdown&lang=fi",
            headers=token(kirjuri, "dpo"),
        )
    assert report.status_code == 200
    assert "Kuka tietojasi on katsonut" in report.text
    assert "tarkastaja, vuositarkastus" in report.text
    assert "t_auditor" not in report.text  # the caller's name is not told


def test_a_retried_command_is_a_duplicate_and_writes_nothing(kirjuri: Kirjuri) -> None:
    """The Idempotency-Key (or command_id) makes a retry answer 200 with the
    original subject, flagged as a duplicate, and nothing more is stored."""
    headers = {**token(kirjuri, "ingest"), "Idempotency-Key": "crm-4711"}
    with client(kirjuri) as api:
        first = api.post("/v1/commands", json=REGISTER, headers=headers)
        head = kirjuri.ledger.head()
        again = api.post("/v1/commands", json=REGISTER, headers=headers)
        by_body = api.post(
            "/v1/commands",
            json={**REGISTER, "command_id": "crm-4711"},
            headers=token(kirjuri, "ingest"),
        )
        clash = api.post(
            "/v1/commands", json={**REGISTER, "command_id": "other"}, headers=headers
        )
        reused = api.post(
            "/v1/commands", json={**REGISTER, "name": "Toinen"}, headers=headers
        )
        metrics = api.get("/metrics", headers=headers)
    assert first.status_code == 201 and first.json()["duplicate"] is False
    # The key sent again with another command: refused, not taken for a retry.
    assert reused.status_code == 409
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["errors"][0]["pointer"] == "#/command_id"
    assert again.status_code == by_body.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["subject"] == first.json()["subject"]
    assert clash.status_code == 422
    assert kirjuri.ledger.head() == head + 1  # the second token only
    assert "kirjuri_commands_duplicate_total 2.0" in metrics.text


def test_a_retried_batch_records_nothing_twice(kirjuri: Kirjuri) -> None:
    lines = [
        {**REGISTER, "command_id": "b-1"},
        {**REGISTER, "email": "b@b.example", "command_id": "b-2"},
    ]
    headers = token(kirjuri, "ingest")
    with client(kirjuri) as api:
        first = api.post("/v1/commands/batch", json=lines, headers=headers)
        again = api.post("/v1/commands/batch", json=lines, headers=headers)
    assert (first.json()["recorded"], first.json()["duplicates"]) == (2, 0)
    assert (again.json()["recorded"], again.json()["duplicates"]) == (0, 2)


def test_subjects_are_found_by_email_for_a_dpo(kirjuri: Kirjuri) -> None:
    with client(kirjuri) as api:
        api.post("/v1/commands", json=REGISTER, headers=token(kirjuri, "ingest"))
        found = api.get(
            "/v1/subjects?search=AINO.virtanen@esimerkki.fi",
            headers=token(kirjuri, "dpo"),
        )
    assert found.status_code == 200
    assert [row["company"] for row in found.json()] == ["Esimerkki Oy"]


def test_an_unexpected_error_is_answered_and_logged_without_its_values(
    kirjuri: Kirjuri,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bug no handler expected: the API answers a problem document, a page
    a plain error page, and the log names the error's type, not its text."""

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("aino.virtanen@esimerkki.fi")

    page_client = signed_in(kirjuri, "dpo")
    monkeypatch.setattr(type(kirjuri), "policy_items", broken)
    monkeypatch.setattr(type(kirjuri), "policy", broken)
    with client(kirjuri) as api:
        answer = api.get("/v1/policy/purposes", headers=token(kirjuri, "auditor"))
    page = page_client.get("/policy")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "esimerkki" not in answer.text
    assert page.status_code == 500 and "Something went wrong" in page.text
    logged = capsys.readouterr()
    assert "RuntimeError" in logged.out + logged.err
    assert "esimerkki" not in logged.out + logged.err
    assert "Traceback" not in logged.out + logged.err
