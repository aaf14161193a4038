"""A read model that cannot apply a stored event skips it, says so, and the
others (and the ledger) go on; both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from structlog.testing import capture_logs

from commands.models import parse_command
from commands.service import Kirjuri
from ledger import events as ev
from projections import queries
from projections.audit import AuditModel

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from ledger.storage import Cursor

from tests.conftest import delivery

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"


def _register(kirjuri: Kirjuri, name: str) -> str:
    data = {"kind": "register", "company": "Pumppu Oy", "source": "subject"}
    return str(kirjuri.execute(parse_command({**data, "name": name})).subject_id)


def _disclose(kirjuri: Kirjuri, subject: str, reference: str) -> None:
    kirjuri.execute(parse_command(delivery(subject, reference)))


def _history(kirjuri: Kirjuri, **wanted: Any) -> list[dict[str, Any]]:
    return queries.history(kirjuri.ledger.database, queries.HistoryFilter(**wanted))


def test_a_model_that_raises_on_one_event_skips_it_and_the_rest_goes_on(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied = AuditModel.apply

    def fragile(
        self: AuditModel, event: ev.SubjectEvent, cursor: Cursor, n: int
    ) -> None:
        if getattr(event, "reference", None) == "order-13":
            raise ValueError("Eero Esimerkki")  # text never shown: may be personal
        applied(self, event, cursor, n)

    monkeypatch.setattr(AuditModel, "apply", fragile)
    subject = _register(kirjuri, "Eero Esimerkki")
    with capture_logs() as logs:
        _disclose(kirjuri, subject, "order-13")  # does not raise
    head = kirjuri.ledger.head()
    faults = kirjuri.projector.faults()
    assert [(f["model"], f["notification_id"], f["error"]) for f in faults] == [
        ("audit", head, "ValueError")
    ]
    [logged] = [e for e in logs if e["event"].startswith("read model cannot apply")]
    assert (logged["model"], logged["sequence"], logged["error"]) == (
        "audit",
        head,
        "ValueError",
    )
    assert "Eero" not in repr(logs)

    _disclose(kirjuri, subject, "order-14")  # later commands work
    assert [
        r["reference"] for r in _history(kirjuri, recipient="delivery_partner")
    ] == ["order-14"]
    # Every other model took the event the audit index skipped.
    assert len(queries.disclosures_of(kirjuri.ledger.database, subject)) == 2
    assert set(kirjuri.projector.positions().values()) == {kirjuri.ledger.head()}

    kirjuri.projector.rebuild()  # still skips it, and says so once
    assert len(kirjuri.projector.faults()) == 1
    monkeypatch.setattr(AuditModel, "apply", applied)
    kirjuri.projector.rebuild()  # the defect fixed: a rebuild takes it
    assert kirjuri.projector.faults() == []
    assert len(_history(kirjuri, recipient="delivery_partner")) == 2


def test_an_event_with_an_impossible_date_does_not_brick_the_ledger(
    kirjuri: Kirjuri,
) -> None:
    """A date at the edge of what Python can hold, stored before moments were
    bounded at the edge: converting it to UTC overflows in the read models."""
    broken = UUID(_register(kirjuri, "Eero Esimerkki"))
    version = kirjuri.ledger.load(broken).version
    plus_two = timezone(timedelta(hours=2))
    kirjuri.ledger.append(
        [
            ev.RelationshipStarted(
                originator_id=broken,
                originator_version=version + 1,
                occurred_at=datetime(1, 1, 1, tzinfo=plus_two),
                recorded_at=datetime.now(UTC),
            )
        ]
    )
    kirjuri.catch_up()
    faulty = {f["model"] for f in kirjuri.projector.faults()}
    assert "audit" in faulty
    other = _register(kirjuri, "Aino Virtanen")
    _disclose(kirjuri, other, "order-15")
    assert [r["reference"] for r in _history(kirjuri, subject=other)][-1] == "order-15"
    assert kirjuri.projector.rebuild() == kirjuri.ledger.head()
    assert {f["model"] for f in kirjuri.projector.faults()} == faulty
    assert len(_history(kirjuri)) == kirjuri.ledger.head() - 2  # policy, the bad one


def test_projections_status_lists_what_a_model_skipped(
    cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0

    def broken(self: AuditModel, *_: Any) -> None:
        raise RuntimeError

    monkeypatch.setattr(AuditModel, "apply", broken)
    code, _, err = cli("register", "--company", "Pumppu Oy", "--source", "subject")
    assert code == 0, err
    code, out, _ = cli("projections", "status")
    assert code == 0
    assert "audit: skipped event 2 (RuntimeError)" in out


def test_an_event_that_does_not_decode_is_skipped_by_the_models_that_read_it(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = _register(kirjuri, "Eero Esimerkki")
    bad = kirjuri.ledger.head() + 1
    decode = kirjuri.ledger.to_event

    def fragile(notification: Any) -> ev.SubjectEvent:
        if notification.id == bad:
            raise ValueError(notification.id)
        return decode(notification)

    monkeypatch.setattr(kirjuri.ledger, "to_event", fragile)
    _disclose(kirjuri, subject, "order-16")
    skipped = {f["model"] for f in kirjuri.projector.faults()}
    readers = {m.name for m in kirjuri.projector.models if m.needs_events}
    assert skipped == readers and "merkle" not in skipped  # leaves are bytes
    _disclose(kirjuri, subject, "order-17")
    assert [
        r["reference"] for r in _history(kirjuri, recipient="delivery_partner")
    ] == ["order-17"]
    assert set(kirjuri.projector.positions().values()) == {kirjuri.ledger.head()}


def test_a_key_that_does_not_unwrap_fails_only_its_own_value_in_a_rebuild(
    kirjuri: Kirjuri,
) -> None:
    """The blind index reads a batch's keys at once; one damaged key must not
    take the other subjects' emails out of it, and is recorded as a fault."""
    subjects = {}
    for name in ("aino", "eero", "liisa"):
        email = f"{name}@pumppu.example"
        data = {"kind": "register", "company": "Pumppu Oy", "source": "subject"}
        outcome = kirjuri.execute(parse_command({**data, "email": email}))
        subjects[email] = str(outcome.subject_id)
    damaged = subjects["eero@pumppu.example"]
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute(
            "UPDATE {p}kirjuri_data_keys SET wrapped = %s WHERE subject_id = %s",
            (bytes(60), damaged),
        )
    fresh = Kirjuri.open(kirjuri.settings)  # no key of its own cached yet
    with fresh:
        fresh.rebuild()
        assert (
            str(fresh.resolve("aino@pumppu.example")) == subjects["aino@pumppu.example"]
        )
        assert (
            str(fresh.resolve("liisa@pumppu.example"))
            == subjects["liisa@pumppu.example"]
        )
        faults = fresh.projection_status().faults
        assert [f.model for f in faults] == ["lookup"]
