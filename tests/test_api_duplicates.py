"""A retried command (same Idempotency-Key or command_id) is answered as the
first time — its events' sequence numbers and findings — marked a
duplicate, and writes nothing; in a batch, line by line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands.models import parse_command
from tests.api_helpers import REGISTER, client, token

if TYPE_CHECKING:
    from commands.service import Kirjuri


def _breach(subject: str) -> dict[str, Any]:
    return {
        "kind": "process",
        "subject": subject,
        "purpose": "partner_marketing",
        "categories": ["email"],
        "activity": "newsletter_sent",
    }


def test_a_retry_answers_with_the_originals_sequences_and_findings(
    kirjuri: Kirjuri,
) -> None:
    subject = str(kirjuri.execute(parse_command(REGISTER)).subject_id)
    headers = {**token(kirjuri, "ingest"), "Idempotency-Key": "crm-77"}
    with client(kirjuri) as api:
        first = api.post("/v1/commands", json=_breach(subject), headers=headers)
        head = kirjuri.ledger.head()
        again = api.post("/v1/commands", json=_breach(subject), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert kirjuri.ledger.head() == head
    original, retried = first.json(), again.json()
    assert original["findings"] and original["sequences"]
    assert retried.pop("duplicate") is True
    assert original.pop("duplicate") is False
    assert retried == original


def test_the_facade_gives_a_duplicate_the_originals_events(kirjuri: Kirjuri) -> None:
    subject = str(kirjuri.execute(parse_command(REGISTER)).subject_id)
    command = parse_command({**_breach(subject), "command_id": "n-1"})
    first = kirjuri.execute(command)
    again = kirjuri.execute(command)
    assert again.duplicate and not first.duplicate
    assert again.events == first.events
    assert again.findings == first.findings
    assert kirjuri.sequences(again) == kirjuri.sequences(first)


def test_a_retried_batch_answers_each_line_as_the_first_time(
    kirjuri: Kirjuri,
) -> None:
    subject = str(kirjuri.execute(parse_command(REGISTER)).subject_id)
    lines = [
        {**_breach(subject), "command_id": "b-1"},
        {"kind": "nonsense"},
        {**REGISTER, "email": "b@b.example"},  # its id is made from its text
    ]
    headers = token(kirjuri, "ingest")
    with client(kirjuri) as api:
        first = api.post("/v1/commands/batch", json=lines, headers=headers).json()
        head = kirjuri.ledger.head()
        again = api.post("/v1/commands/batch", json=lines, headers=headers).json()
    assert kirjuri.ledger.head() == head
    assert [line["status"] for line in first["lines"]] == [
        "recorded",
        "rejected",
        "recorded",
    ]
    assert [line["status"] for line in again["lines"]] == [
        "duplicate",
        "rejected",
        "duplicate",
    ]
    assert first["lines"][0]["findings"][0]["rule"] == "consent_required"
    for before, after in zip(first["lines"], again["lines"], strict=True):
        assert after["sequences"] == before["sequences"]
        assert after["findings"] == before["findings"]
        assert after["subject"] == before["subject"]
    assert all(line["sequences"] for line in first["lines"] if line["line"] != 2)
    assert (again["recorded"], again["duplicates"]) == (0, 2)
