"""Snapshots: a long stream loads from its snapshot and the events after it,
a snapshot is believed only if genuine, and erasure still leaves no value
readable in the database files, on both backends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from commands.models import parse_command
from ledger import snapshots
from tests.test_erasure import VALUES, raw_database, rich_subject, wrapped_keys

if TYPE_CHECKING:
    from commands.bootstrap import Settings
    from commands.service import Kirjuri


@pytest.fixture(autouse=True)
def _often(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots every 5 events, so short streams have them."""
    monkeypatch.setattr(snapshots, "SNAPSHOT_EVERY", 5)


def busy_subject(kirjuri: Kirjuri, events: int = 23) -> UUID:
    subject = kirjuri.execute(
        parse_command(
            {
                "kind": "register",
                "company": "Avain Oy",
                "source": "subject",
                "email": "avain@avain.example",
                "name": "Avain Asiakas",
            }
        )
    ).subject_id
    commands = [
        (
            i,
            parse_command(
                {
                    "kind": "disclose",
                    "subject": str(subject),
                    "recipient": "delivery_partner",
                    "categories": ["name"],
                    "purpose": "order_delivery",
                    "reference": f"R{i}",
                    "at": f"2025-03-{1 + i % 28:02d}",
                }
                if i % 7 != 3
                else {
                    "kind": "consent",
                    "subject": str(subject),
                    "purpose": "partner_marketing",
                    "channel": "web_form",
                    "at": f"2025-03-{1 + i % 28:02d}",
                }
            ),
        )
        for i in range(events)
    ]
    kirjuri.execute_many(commands, batch_size=4)
    return subject


def stored_snapshot(kirjuri: Kirjuri, subject: UUID) -> dict[str, Any] | None:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT version, state, mac FROM {p}kirjuri_snapshots"
            " WHERE subject_id = %s",
            (str(subject),),
        )
        row = cursor.fetchone()
    return None if row is None else dict(row)


def test_a_long_stream_loads_from_its_snapshot_and_what_follows(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = busy_subject(kirjuri)
    ledger = kirjuri.ledger
    stream = ledger.stream(subject)
    snapshot = stored_snapshot(kirjuri, subject)
    assert snapshot is not None
    assert len(stream) - 5 < snapshot["version"] <= len(stream)
    read: list[int] = []
    get = ledger.events.get

    def counted(originator_id: Any, **kwargs: Any) -> Any:
        found = list(get(originator_id, **kwargs))
        read.extend(e.originator_version for e in found)
        return iter(found)

    monkeypatch.setattr(ledger.events, "get", counted)
    state = ledger.load(subject)
    assert read == list(range(snapshot["version"] + 1, len(stream) + 1))
    monkeypatch.undo()
    assert state == ledger.load_from_events(subject)
    assert state.consent_in_force("partner_marketing", stream[-1].occurred_at)
    assert ledger.check_snapshots() == []


def test_a_snapshot_changed_in_the_database_is_not_believed(
    kirjuri: Kirjuri,
) -> None:
    subject = busy_subject(kirjuri)
    snapshot = stored_snapshot(kirjuri, subject)
    assert snapshot is not None
    forged = bytes(snapshot["state"]).replace(b"partner_marketing", b"newsletter_xx")
    assert forged != bytes(snapshot["state"])
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute(
            "UPDATE {p}kirjuri_snapshots SET state = %s WHERE subject_id = %s",
            (forged, str(subject)),
        )
    assert kirjuri.ledger.check_snapshots() == [subject]
    state = kirjuri.ledger.load(subject)
    assert state == kirjuri.ledger.load_from_events(subject)
    assert "newsletter_xx" not in state.consents


def test_a_genuine_snapshot_that_differs_from_the_events_is_found(
    kirjuri: Kirjuri,
) -> None:
    subject = busy_subject(kirjuri)
    ledger = kirjuri.ledger
    wrong = ledger.load(subject)
    wrong.source = "somewhere_else"
    wrong.version += 1  # newer than the stored one, so it is written
    ledger.state_snapshots.put([wrong])
    assert ledger.check_snapshots() == [subject]


def test_erasure_leaves_nothing_readable_in_snapshots(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    subject = rich_subject(kirjuri)
    snapshot = stored_snapshot(kirjuri, UUID(subject))
    assert snapshot is not None  # the subject's values are in one
    state = kirjuri.ledger.load(UUID(subject))
    phone = state.current_values()["phone"].value
    assert phone.box.encode() in bytes(snapshot["state"])  # sealed, as stored
    before = wrapped_keys(kirjuri, subject)
    raw = raw_database(kirjuri, settings)
    assert not [v for v in VALUES.values() if v.encode() in raw]
    kirjuri.execute(
        parse_command({"kind": "erase", "subject": subject, "remove_objection": True})
    )
    after = raw_database(kirjuri, settings)
    destroyed = {c: k for c, k in before.items() if c != "accounting_voucher"}
    assert [c for c, key in destroyed.items() if key in after] == []
    assert not [v for v in VALUES.values() if v.encode() in after]
    erased = kirjuri.ledger.load(UUID(subject))
    assert erased.erased_at is not None
    opened = kirjuri.ledger.open_or_none(erased.id, "phone", phone)
    assert opened is None
