"""Data keys: a wrong master key is refused at start, erasure is only what was
recorded as one, and a refused command leaves no key behind; both backends."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from commands.models import parse_command
from commands.service import Kirjuri
from ledger import events as ev
from ledger.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    InvalidCommand,
    KeyDestroyed,
    KeyUnavailable,
)
from ledger.keys import CHECK_KEY_CLASS, LEDGER_SUBJECT
from projections.reports.access import build_access_report
from tests.rawdb import events_table

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.bootstrap import Settings

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"
REGISTER = {
    "kind": "register",
    "company": "Pumppu Oy",
    "source": "subject",
    "name": "Eero Esimerkki",
}


def _count(kirjuri: Kirjuri, table: str) -> int:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) AS n FROM {table}")
        return int(cursor.fetchone()["n"])


def _key_rows(kirjuri: Kirjuri) -> int:
    return _count(kirjuri, "{p}kirjuri_data_keys")


def _sql(kirjuri: Kirjuri, statement: str, params: tuple[Any, ...] = ()) -> None:
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute(statement, params)


def _register(kirjuri: Kirjuri, **more: Any) -> str:
    outcome = kirjuri.execute(parse_command({**REGISTER, **more}))
    return str(outcome.subject_id)


# A wrong master key --------------------------------------------------------


def test_a_wrong_master_key_is_refused_at_start_with_one_line(
    cli: Callable[..., tuple[int, str, str]],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    code, out, err = cli("register", "--company", "Pumppu Oy", "--source", "subject")
    assert code == 0, err
    subject = re.findall(r"[0-9a-f-]{36}", out)[0]
    with Kirjuri.open(settings) as kirjuri:
        before = (_count(kirjuri, events_table(kirjuri)[0]), _key_rows(kirjuri))

    monkeypatch.setenv("KIRJURI_MASTER_KEY", secrets.token_hex(32))
    for args in (
        ("access-report", subject),
        ("export", subject),
        ("register", "--company", "Toinen Oy", "--source", "subject"),
    ):
        code, out, err = cli(*args)
        assert code == 78, (args, err)
        assert out == ""
        assert err.strip().splitlines() == [
            "kirjuri: error: KIRJURI_MASTER_KEY: this master key does not open "
            "the ledger (its data keys are wrapped under another one)"
        ]
    with Kirjuri.open(settings) as kirjuri:
        after = (_count(kirjuri, events_table(kirjuri)[0]), _key_rows(kirjuri))
    assert after == before


def test_a_ledger_made_before_the_check_key_is_checked_and_then_given_one(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    _register(kirjuri)
    _sql(
        kirjuri,
        "DELETE FROM {p}kirjuri_data_keys WHERE subject_id = %s"
        " AND retention_class = %s",
        (str(LEDGER_SUBJECT), CHECK_KEY_CLASS),
    )
    before = _key_rows(kirjuri)
    with pytest.raises(ConfigurationError, match="does not open the ledger"):
        Kirjuri.open(replace(settings, master_key=secrets.token_hex(32)))
    assert _key_rows(kirjuri) == before  # the wrong key left no check key
    with Kirjuri.open(settings) as reopened:
        assert _key_rows(reopened) == before + 1
    with pytest.raises(ConfigurationError, match="does not open the ledger"):
        Kirjuri.open(replace(settings, master_key=secrets.token_hex(32)))


# Erased is only what was destroyed --------------------------------------------


def test_a_missing_key_is_an_error_not_an_erasure(kirjuri: Kirjuri) -> None:
    subject = _register(kirjuri)
    report = build_access_report(kirjuri.ledger, UUID(subject))
    assert "Eero Esimerkki" in {v.value for v in report.personal_data}
    _sql(
        kirjuri,
        "DELETE FROM {p}kirjuri_data_keys WHERE subject_id = %s",
        (subject,),
    )
    fresh = Kirjuri.open(kirjuri.settings)  # no key cached from the writes
    with fresh, pytest.raises(KeyUnavailable, match="missing from the key table"):
        build_access_report(fresh.ledger, UUID(subject))


def test_cli_reports_a_missing_key_as_an_error_not_as_erased(
    cli: Callable[..., tuple[int, str, str]], settings: Settings
) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    code, out, err = cli(
        "register", "--company", "Pumppu Oy", "--source", "subject", "--name", "Eero"
    )
    assert code == 0, err
    subject = re.findall(r"[0-9a-f-]{36}", out)[0]
    with Kirjuri.open(settings) as kirjuri:
        _sql(
            kirjuri,
            "DELETE FROM {p}kirjuri_data_keys WHERE subject_id = %s",
            (subject,),
        )
    for verb in ("access-report", "export"):
        code, out, err = cli(verb, subject)
        assert (code, out) == (78, ""), err
        [line] = err.strip().splitlines()
        assert "missing from the key table" in line and "erased" not in line


def test_a_destroyed_key_still_reads_as_erased(kirjuri: Kirjuri) -> None:
    subject = _register(kirjuri)
    kirjuri.ledger.keys.destroy(
        UUID(subject), kirjuri.ledger.keys.live_classes(UUID(subject))
    )
    report = build_access_report(kirjuri.ledger, UUID(subject))
    assert {v.value for v in report.personal_data} == {None}


# A refused command leaves no key -------------------------------------------


def test_a_refused_register_leaves_no_data_key(kirjuri: Kirjuri) -> None:
    _register(kirjuri)  # the ledger's own keys exist from here on
    before = _key_rows(kirjuri)
    # The company is sealed before the bad email is seen.
    with pytest.raises(InvalidCommand, match="email"):
        _register(kirjuri, email="not an email")
    with pytest.raises(InvalidCommand, match="category"):
        kirjuri.execute(
            parse_command(
                {
                    "kind": "collect",
                    "subject": _register(kirjuri),
                    "category": "no_such_category",
                    "value": "x",
                    "source": "subject",
                    "purposes": ["customer_relationship"],
                }
            )
        )
    assert _key_rows(kirjuri) == before + 1  # the one good register's key


def test_refused_commands_in_a_batch_leave_no_data_key(kirjuri: Kirjuri) -> None:
    _register(kirjuri, email="first@pumppu.example")  # makes the blind-index key
    before = _key_rows(kirjuri)
    good = {**REGISTER, "email": "eero@pumppu.example"}
    lines = [
        (1, parse_command({**REGISTER, "email": "not an email"})),
        (2, parse_command(good)),
        (3, parse_command({**REGISTER, "phone": "call me maybe"})),
        (
            4,
            parse_command(
                {**REGISTER, "company": "Kolmas Oy", "business_id": "1234567-8"}
            ),
        ),
    ]
    report = kirjuri.execute_many(lines)
    assert [number for number, _ in report.rejected] == [1, 3, 4]
    assert report.recorded == 1
    assert _key_rows(kirjuri) == before + 1
    # The key that was stored opens what its subject holds.
    subject = kirjuri.resolve("eero@pumppu.example")
    report_values = build_access_report(kirjuri.ledger, subject).personal_data
    assert "eero@pumppu.example" in {v.value for v in report_values}


def _collect_orders(kirjuri: Kirjuri, subject: str, value: str) -> None:
    kirjuri.execute(
        parse_command(
            {
                "kind": "collect",
                "subject": subject,
                "category": "orders",
                "value": value,
                "source": "subject",
                "purposes": ["order_delivery"],
            }
        )
    )


def test_two_writers_making_one_subject_s_new_key_never_lose_a_value(
    kirjuri: Kirjuri,
) -> None:
    subject = _register(kirjuri)
    with Kirjuri.open(kirjuri.settings) as other:
        # This process makes the subject's key of a new class (in memory)…
        kirjuri.ledger.keys.aead_for(UUID(subject), "accounting_voucher")
        # …the other stores its own first.
        _collect_orders(other, subject, "order 1")
        before = _key_rows(kirjuri)
        # The save clashes on the key; the facade tries once more, with the
        # key the other stored.
        _collect_orders(kirjuri, subject, "order 2")
        assert _key_rows(kirjuri) == before
        for reader in (kirjuri, other):
            values = build_access_report(reader.ledger, UUID(subject)).personal_data
            assert {"order 1", "order 2"} <= {v.value for v in values}


def test_a_key_stored_for_events_that_lost_a_race_is_taken_back(
    kirjuri: Kirjuri,
) -> None:
    subject = UUID(_register(kirjuri))
    ledger = kirjuri.ledger
    before = _key_rows(kirjuri)
    stale = ev.DataCollected(
        originator_id=subject,
        originator_version=1,  # taken: another writer got there first
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
        category="orders",
        value=ledger.seal(subject, "orders", "order 1"),
        source="subject",
        purposes=("order_delivery",),
    )
    with pytest.raises(ConcurrencyConflict):
        ledger.append([stale])
    assert _key_rows(kirjuri) == before
    _collect_orders(kirjuri, str(subject), "order 2")
    values = build_access_report(ledger, subject).personal_data
    assert "order 2" in {v.value for v in values}


def test_a_value_for_a_destroyed_class_is_refused_and_writes_nothing(
    kirjuri: Kirjuri,
) -> None:
    subject = UUID(_register(kirjuri))
    _collect_orders(kirjuri, str(subject), "order 1")
    kirjuri.ledger.keys.destroy(subject, ["accounting_voucher"])  # as a sweep does
    keys, version = _key_rows(kirjuri), kirjuri.ledger.load(subject).version
    fresh = Kirjuri.open(kirjuri.settings)  # nothing cached from the writes
    with fresh, pytest.raises(KeyDestroyed, match="was destroyed") as caught:
        _collect_orders(fresh, str(subject), "order 2")
    assert caught.value.exit_code == 65
    assert (_key_rows(kirjuri), kirjuri.ledger.load(subject).version) == (
        keys,
        version,
    )
