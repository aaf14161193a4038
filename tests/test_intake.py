"""Exactly-once intake: command ids and request ids, unique in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from commands.models import parse_command
from commands.service import Kirjuri
from ledger import events as ev
from ledger.errors import (
    CommandIdReused,
    ConcurrencyConflict,
    InvalidCommand,
    UnknownSubject,
)
from projections import queries

if TYPE_CHECKING:
    from commands.bootstrap import Settings

REGISTER = {
    "kind": "register",
    "company": "Konepaja Oy",
    "email": "aino@konepaja.example",
    "name": "Aino",
    "source": "subject",
}
DISCLOSE = {
    "kind": "disclose",
    "subject": "aino@konepaja.example",
    "recipient": "delivery_partner",
    "categories": ["name"],
    "purpose": "order_delivery",
    "at": "2025-03-01",
}


def command(data: dict[str, Any], command_id: str | None = None) -> Any:
    return parse_command({**data, **({"command_id": command_id} if command_id else {})})


def stored_names(kirjuri: Kirjuri) -> list[str]:
    return [n.topic for n in kirjuri.ledger.notifications(None, 10_000)]


def test_a_command_sent_twice_is_recorded_once(kirjuri: Kirjuri) -> None:
    """The second send is acknowledged with the first one's subject and
    events (as the first answer said them), and writes nothing."""
    first = kirjuri.execute(command(REGISTER, "crm-1"))
    head = kirjuri.ledger.head()
    again = kirjuri.execute(command(REGISTER, "crm-1"))
    assert again.duplicate and not first.duplicate
    assert again.subject_id == first.subject_id
    assert again.events == first.events
    assert kirjuri.ledger.head() == head
    assert queries.subjects_by_lookup(
        kirjuri.ledger.database, kirjuri.ledger.lookup_hash("email", REGISTER["email"])
    ) == [str(first.subject_id)]


def test_a_duplicate_request_answers_with_the_original_request_id(
    kirjuri: Kirjuri,
) -> None:
    kirjuri.execute(command(REGISTER))
    request = {"kind": "request", "subject": REGISTER["email"], "type": "access"}
    request |= {"channel": "email"}
    first = kirjuri.execute(command(request, "web-77"))
    again = kirjuri.execute(command(request, "web-77"))
    assert first.request_id and again.request_id == first.request_id
    assert again.duplicate
    assert (
        len(queries.requests(kirjuri.ledger.database, None, datetime.now(UTC).date()))
        == 1
    )


def test_a_bulk_run_counts_duplicates_before_and_within_the_run(
    kirjuri: Kirjuri,
) -> None:
    kirjuri.execute(command(REGISTER, "r-1"))
    items = [
        (1, command(REGISTER, "r-1")),  # recorded before the run
        (2, command(DISCLOSE, "d-1")),
        (3, command(DISCLOSE, "d-1")),  # earlier in the same batch
        (4, command(DISCLOSE, "d-2")),
        (5, command(DISCLOSE, "d-1")),  # in a later batch
    ]
    report = kirjuri.execute_many(items, batch_size=4)
    assert [n for n, _ in report.done] == [2, 4]
    assert [n for n, _ in report.duplicates] == [1, 3, 5]
    assert report.rejected == []
    assert stored_names(kirjuri).count("DataDisclosed") == 2
    assert stored_names(kirjuri).count("CommandReceived") == 3


def test_a_key_sent_again_with_another_command_is_refused_not_dropped(
    kirjuri: Kirjuri,
) -> None:
    """A sender that reuses an id for a different fact would lose that fact
    if it were taken for a retry: it is refused, naming the field, and the
    first command stands. The same message sent again (its `at` left to
    default both times) is still a duplicate."""
    kirjuri.execute(command(REGISTER, "r-1"))
    kirjuri.execute(command(DISCLOSE, "d-1"))
    head = kirjuri.ledger.head()
    other = {**DISCLOSE, "recipient": "debt_collector", "purpose": "debt_collection"}
    with pytest.raises(CommandIdReused, match=r"^command_id: already recorded for"):
        kirjuri.execute(command(other, "d-1"))
    undated = {**REGISTER, "email": "b@konepaja.example"}  # its `at` is "now"
    kirjuri.execute(command(undated, "r-2"))
    assert kirjuri.execute(command(undated, "r-2")).duplicate
    head = kirjuri.ledger.head()
    items = [
        (1, command(other, "d-1")),  # recorded before the run, other content
        (2, command(other, "d-9")),
        (3, command(DISCLOSE, "d-9")),  # earlier in this batch, other content
        (4, command(DISCLOSE, "d-1")),  # the same as recorded: a duplicate
    ]
    report = kirjuri.execute_many(items)
    assert [n for n, _ in report.done] == [2]
    assert [n for n, _ in report.duplicates] == [4]
    assert [n for n, _ in report.rejected] == [1, 3]
    assert all("command_id: already recorded" in why for _, why in report.rejected)
    assert stored_names(kirjuri)[head:].count("DataDisclosed") == 1


def test_the_database_refuses_a_second_receipt_for_one_id(kirjuri: Kirjuri) -> None:
    """Not a read-model check: the event store's unique key refuses it."""
    outcome = kirjuri.execute(command(REGISTER, "crm-9"))
    receipt = ev.CommandReceived(
        originator_id=ev.receipt_stream("command:crm-9"),
        originator_version=1,
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
        command_id="crm-9",
        command="register",
        subject_id=outcome.subject_id,
    )
    with pytest.raises(ConcurrencyConflict):
        kirjuri.ledger.append([receipt])


def test_a_racing_writer_that_passed_the_check_is_a_duplicate_on_retry(
    kirjuri: Kirjuri, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers both find the id unrecorded; the second's save fails on the
    receipt's key, its batch is tried again, and the command is a duplicate."""
    kirjuri.execute(command(REGISTER))
    with Kirjuri.open(settings) as other:
        other.execute(command(DISCLOSE, "race-1"))
    checks: list[int] = []
    real = kirjuri.ledger.receipts

    def stale_first_time(keys: Any) -> Any:
        checks.append(1)
        return {} if len(checks) == 1 else real(keys)

    monkeypatch.setattr(kirjuri.ledger, "receipts", stale_first_time)
    report = kirjuri.execute_many(
        [(1, command(DISCLOSE, "race-1")), (2, command(DISCLOSE, "race-2"))]
    )
    assert [n for n, _ in report.duplicates] == [1]
    assert [n for n, _ in report.done] == [2]
    assert stored_names(kirjuri).count("DataDisclosed") == 2


def test_a_request_id_is_unique_in_the_database_not_only_the_read_model(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    kirjuri.execute(command(REGISTER))
    kirjuri.execute(command({**REGISTER, "email": "b@konepaja.example"}))
    request = {"kind": "request", "type": "access", "channel": "email"}
    request |= {"request_id": "R-1"}
    kirjuri.execute(command({**request, "subject": REGISTER["email"]}))
    # A read model that has not seen R-1 yet (another writer, not caught up).
    monkeypatch.setattr(queries, "request_subject", lambda *_: None)
    with pytest.raises(ConcurrencyConflict):
        kirjuri.execute(command({**request, "subject": "b@konepaja.example"}))
    assert stored_names(kirjuri).count("RequestReceived") == 1


def test_receipts_survive_a_rebuild_and_are_no_subjects(kirjuri: Kirjuri) -> None:
    kirjuri.execute(command(REGISTER, "crm-1"))
    kirjuri.execute(command(DISCLOSE, "crm-2"))
    kirjuri.projector.rebuild()
    assert kirjuri.execute(command(DISCLOSE, "crm-2")).duplicate
    with pytest.raises(UnknownSubject):
        kirjuri.resolve(str(ev.receipt_stream("command:crm-2")))
    rows = queries.history(kirjuri.ledger.database, queries.HistoryFilter())
    assert "CommandReceived" not in {r["event_type"] for r in rows}
    assert len({r["subject_id"] for r in rows}) == 1
    kirjuri.checkpoint()
    result = kirjuri.verify(read_models=True)
    assert result.ok, result.problems


def test_a_command_id_must_be_short_printable_and_impersonal() -> None:
    for bad in ("two words", "x" * 129, "aino@konepaja.example", "tässä"):
        with pytest.raises(InvalidCommand, match="command_id"):
            command(REGISTER, bad)


def test_a_refused_register_in_a_batch_leaves_no_data_key(kirjuri: Kirjuri) -> None:
    bad = {**REGISTER, "email": "b@konepaja.example", "phone": "not a phone"}
    report = kirjuri.execute_many([(1, command(bad)), (2, command(REGISTER))])
    assert [n for n, _ in report.rejected] == [1]
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute("SELECT DISTINCT subject_id FROM {p}kirjuri_data_keys")
        keyed = {row["subject_id"] for row in cursor.fetchall()}
    subjects = {
        r["subject_id"]
        for r in queries.history(kirjuri.ledger.database, queries.HistoryFilter())
    }
    assert keyed - subjects == {"00000000-0000-0000-0000-000000000000"}


def test_registering_a_known_email_in_any_case_is_refused_with_its_id(
    kirjuri: Kirjuri,
) -> None:
    first = kirjuri.execute(command(REGISTER))
    shouted = {**REGISTER, "email": REGISTER["email"].upper()}
    with pytest.raises(InvalidCommand, match=str(first.subject_id)) as refused:
        kirjuri.execute(command(shouted))
    assert refused.value.field == "email"
    assert REGISTER["email"] not in str(refused.value)
    report = kirjuri.execute_many([(1, command(REGISTER)), (2, command(shouted))])
    assert [n for n, _ in report.rejected] == [1, 2]


def test_a_second_person_with_a_known_email_is_registered_on_purpose(
    kirjuri: Kirjuri,
) -> None:
    """With new_subject the email then names two subjects: both ids are listed."""
    first = kirjuri.execute(command(REGISTER))
    second = kirjuri.execute(command({**REGISTER, "new_subject": True}))
    assert second.subject_id != first.subject_id
    with pytest.raises(UnknownSubject, match="2 subjects match") as ambiguous:
        kirjuri.resolve(REGISTER["email"])
    assert str(first.subject_id) in str(ambiguous.value)
    assert str(second.subject_id) in str(ambiguous.value)
    with pytest.raises(InvalidCommand) as refused:
        kirjuri.execute(command(REGISTER))
    assert str(first.subject_id) in str(refused.value)
    assert str(second.subject_id) in str(refused.value)


def test_a_batch_refuses_a_second_register_of_an_email_it_made(
    kirjuri: Kirjuri,
) -> None:
    report = kirjuri.execute_many(
        [(1, command(REGISTER)), (2, command({**REGISTER, "name": "Other"}))]
    )
    assert [n for n, _ in report.done] == [1]
    assert [n for n, _ in report.rejected] == [2]
