"""A regulator's window and subject list reach every read: findings,
requests, state, access report, export, evidence and proofs show nothing
outside them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from commands.models import parse_command
from ledger import clock
from tests.api_helpers import REGISTER, client, token

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from commands.service import Kirjuri

SINCE = datetime(2025, 3, 1, tzinfo=clock.LOCAL_TZ)
UNTIL = datetime(2025, 4, 1, tzinfo=clock.LOCAL_TZ)
PURPOSE = {"X-Purpose": "inquiry 7/2026"}


def _record(kirjuri: Kirjuri, **fields: Any) -> list[int]:
    outcome = kirjuri.execute(parse_command(fields))
    return kirjuri.sequences(outcome)


def _breach(kirjuri: Kirjuri, subject: str, at: str) -> list[int]:
    return _record(
        kirjuri,
        kind="process",
        subject=subject,
        purpose="partner_marketing",
        categories=["email"],
        activity="newsletter_sent",
        at=at,
    )


@pytest.fixture
def subject(kirjuri: Kirjuri) -> str:
    """Registered in January; a title and a breach in March (inside), a
    request in March answered in April, a phone and a breach in June."""
    found = str(kirjuri.execute(parse_command(REGISTER)).subject_id)
    collect = {"kind": "collect", "subject": found, "source": "subject"}
    _record(
        kirjuri,
        **collect,
        category="title",
        value="CEO",
        purposes=["customer_relationship"],
        at="2025-03-03",
    )
    _breach(kirjuri, found, "2025-03-05")
    request = {"kind": "request", "subject": found, "type": "access"}
    _record(kirjuri, **request, channel="email", request_id="R-IN", at="2025-03-10")
    _record(kirjuri, kind="answer-request", request_id="R-IN", at="2025-04-15")
    _record(
        kirjuri,
        **collect,
        category="phone",
        value="+358 40 123 4567",
        purposes=["customer_relationship"],
        at="2025-06-01",
    )
    _breach(kirjuri, found, "2025-06-05")
    _record(kirjuri, **request, channel="email", request_id="R-OUT", at="2025-06-10")
    return found


def _regulator(kirjuri: Kirjuri, **limits: Any) -> dict[str, str]:
    return {**token(kirjuri, "regulator", **limits), **PURPOSE}


def _windowed(kirjuri: Kirjuri) -> dict[str, str]:
    return _regulator(kirjuri, since=SINCE, until=UNTIL)


def _get(api: TestClient, path: str, headers: dict[str, str]) -> Any:
    answer = api.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _inside(moment: str) -> bool:
    return SINCE <= datetime.fromisoformat(moment) < UNTIL


def test_findings_of_the_window_only(kirjuri: Kirjuri, subject: str) -> None:
    (outside,) = [f for f in kirjuri.findings() if not _inside(str(f.occurred_at))]
    with client(kirjuri) as api:
        headers = _windowed(kirjuri)
        shown = _get(api, "/v1/findings", headers)
        one = api.get(f"/v1/findings/{outside.finding_id}", headers=headers)
    assert len(kirjuri.findings()) == 2
    assert [f["occurred_at"][:10] for f in shown] == ["2025-03-05"]
    assert one.status_code == 403


def test_requests_received_in_the_window_as_they_stood_at_its_end(
    kirjuri: Kirjuri, subject: str
) -> None:
    with client(kirjuri) as api:
        shown = _get(api, "/v1/requests", _windowed(kirjuri))
    assert [(r["request_id"], r["status"], r["answered_on"]) for r in shown] == [
        ("R-IN", "open", None)
    ]
    assert {r.request_id for r in kirjuri.requests()} == {"R-IN", "R-OUT"}


def test_state_as_of_the_window_end_and_no_later(
    kirjuri: Kirjuri, subject: str
) -> None:
    with client(kirjuri) as api:
        headers = _windowed(kirjuri)
        state = _get(api, f"/v1/subjects/{subject}/state", headers)
        later = api.get(
            f"/v1/subjects/{subject}/state?as_of=2025-07-01", headers=headers
        )
    assert "title" in state["values"]
    assert "phone" not in state["values"]
    assert later.status_code == 403


def test_the_access_report_shows_the_window_only(
    kirjuri: Kirjuri, subject: str
) -> None:
    with client(kirjuri) as api:
        report = _get(api, f"/v1/subjects/{subject}/access-report", _windowed(kirjuri))
        full = _get(
            api,
            f"/v1/subjects/{subject}/access-report",
            {**token(kirjuri, "auditor"), **PURPOSE},
        )
    assert [v["category"] for v in report["personal_data"]] == ["title"]
    assert [u["occurred_at"][:10] for u in report["breached_uses"]] == ["2025-03-05"]
    assert report["consultations"] == []  # its own look is today, outside
    assert len(full["personal_data"]) > 1
    assert len(full["breached_uses"]) == 2


def test_export_stays_refused_to_a_regulator(kirjuri: Kirjuri, subject: str) -> None:
    with client(kirjuri) as api:
        answer = api.get(f"/v1/subjects/{subject}/export", headers=_windowed(kirjuri))
    assert answer.status_code == 403


def test_evidence_and_proofs_of_the_window_only(kirjuri: Kirjuri, subject: str) -> None:
    inside = {
        r.notification_id
        for r in kirjuri.history(subject=subject, since=SINCE, until=UNTIL)
    }
    outside = {r.notification_id for r in kirjuri.history(subject=subject)} - inside
    with client(kirjuri) as api:
        headers = _windowed(kirjuri)
        evidence = _get(api, f"/v1/subjects/{subject}/evidence", headers)
        one_in = api.get(f"/v1/proofs/{min(inside)}", headers=headers)
        one_out = api.get(f"/v1/proofs/{min(outside)}", headers=headers)
    assert {e["sequence"] for e in evidence["events"]} == inside
    assert one_in.status_code == 200
    assert one_out.status_code == 403


def test_a_subject_list_reaches_every_read(kirjuri: Kirjuri, subject: str) -> None:
    other = str(
        kirjuri.execute(
            parse_command({**REGISTER, "email": "other@x.example"})
        ).subject_id
    )
    theirs = _breach(kirjuri, other, "2025-03-06")
    (finding_id,) = [f.finding_id for f in kirjuri.findings(other)]
    headers = _regulator(kirjuri, subjects=[subject], expires=timedelta(days=1))
    refused = [
        f"/v1/findings?subject={other}",
        f"/v1/findings/{finding_id}",
        f"/v1/requests?subject={other}",
        f"/v1/subjects/{other}/state",
        f"/v1/subjects/{other}/access-report",
        f"/v1/subjects/{other}/evidence",
        f"/v1/proofs/{theirs[0]}",
        "/v1/history",
    ]
    with client(kirjuri) as api:
        answers = {path: api.get(path, headers=headers).status_code for path in refused}
        mine = _get(api, f"/v1/findings?subject={subject}", headers)
    assert answers == dict.fromkeys(refused, 403)
    assert {f["subject_id"] for f in mine} == {subject}


def test_the_retention_report_counts_the_window_and_subjects_only(
    kirjuri: Kirjuri, subject: str
) -> None:
    kirjuri.execute(parse_command({**REGISTER, "email": "other@x.example"}))
    only = _regulator(kirjuri, subjects=[subject], expires=timedelta(days=1))
    with client(kirjuri) as api:
        everyone = _get(api, "/v1/retention", token(kirjuri, "dpo"))
        windowed = _get(api, "/v1/retention", _windowed(kirjuri))
        theirs = _get(api, "/v1/retention", only)

    def held(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {r["category"]: r["subjects"] for r in rows}

    assert held(everyone)["email"] == 2
    assert "phone" in held(everyone)
    assert "phone" not in held(windowed)  # collected in June, after the window
    assert held(windowed)["title"] == 1  # collected in March, inside it
    assert held(theirs)["email"] == 1
