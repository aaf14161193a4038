"""Retention sweeps, the retention report and master key rotation, on both backends."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from commands.models import parse_command
from commands.service import Kirjuri
from ledger.errors import KeyUnavailable
from ledger.keys import MasterKey
from projections.reports.access import build_access_report
from tests.test_erasure import VALUES, raw_database, rich_subject, wrapped_keys

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.bootstrap import Settings

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"


def _on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _erase(kirjuri: Kirjuri, subject: str, **more: Any) -> None:
    kirjuri.execute(parse_command({"kind": "erase", "subject": subject, **more}))


@pytest.mark.usefixtures("years_later")
def test_a_sweep_destroys_only_what_has_fallen_due(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)  # relationship ended 2025-10-01
    ledger = kirjuri.ledger
    # Complaints (no dispute open) go when the relationship ended; the rest
    # of the relationship's data two years later.
    assert kirjuri.sweep(_on("2025-09-30"), dry_run=True) == []
    done = kirjuri.sweep(_on("2025-10-02"), dry_run=False)
    assert [p.destroyed for p in done] == ["dispute"]
    assert kirjuri.sweep(_on("2027-09-30"), dry_run=False) == []
    planned = kirjuri.sweep(_on("2027-10-02"), dry_run=True)
    assert [p.destroyed for p in planned] == ["relationship"]
    assert "relationship" in ledger.keys.live_classes(UUID(subject))  # dry run
    kirjuri.sweep(_on("2027-10-02"), dry_run=False)
    live = ledger.keys.live_classes(UUID(subject))
    assert "relationship" not in live and "accounting_voucher" in live
    report = build_access_report(ledger, UUID(subject))
    values = {v.category: v.value for v in report.personal_data if v.current}
    assert values["email"] is None and values["orders"] == VALUES["orders"]
    assert [e.kind for e in report.erasures] == ["retention", "retention"]


@pytest.mark.usefixtures("years_later")
def test_accounting_data_kept_at_erasure_goes_when_its_years_end(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    _erase(kirjuri, subject, at="2025-11-20")
    assert kirjuri.sweep(_on("2031-12-30"), dry_run=False) == []
    (done,) = kirjuri.sweep(_on("2032-01-01"), dry_run=False)
    assert done.destroyed == "accounting_voucher"
    live = kirjuri.ledger.keys.live_classes(UUID(subject))
    assert live == ["marketing_prohibition"]  # the objection stays until asked


def test_an_interrupted_erasure_is_finished_by_the_next_sweep(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    keys = kirjuri.ledger.keys
    destroy, keys.destroy = keys.destroy, lambda *_: None  # type: ignore[method-assign]
    _erase(kirjuri, subject)  # recorded; then the process "dies" before destroying
    keys.destroy = destroy  # type: ignore[method-assign]
    assert "relationship" in keys.live_classes(UUID(subject))
    kirjuri.sweep(datetime.now(UTC), dry_run=False)
    assert "relationship" not in keys.live_classes(UUID(subject))


def test_the_retention_report_puts_the_overdue_first(kirjuri: Kirjuri) -> None:
    rich_subject(kirjuri)
    rows = kirjuri.retention_report(_on("2028-01-01"))
    assert rows[0].overdue == 1 and rows[0].retention in {
        "relationship",
        "dispute",
    }
    by_category = {r.category: r for r in rows}
    assert by_category["orders"].next_due == "2031-12-31"
    assert by_category["orders"].overdue == 0


def test_rotation_rewraps_every_key_and_the_old_master_key_opens_none(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    subject = rich_subject(kirjuri)
    before = wrapped_keys(kirjuri, subject)
    old = kirjuri.ledger.keys.master
    raw_key = os.urandom(32)
    new = MasterKey(raw_key)
    assert kirjuri.ledger.keys.rotate(new) >= len(before)
    after = wrapped_keys(kirjuri, subject)
    raw = raw_database(kirjuri, settings)
    assert [c for c, blob in before.items() if blob in raw] == []
    for retention, blob in after.items():
        with pytest.raises(KeyUnavailable):
            old.unwrap(blob, UUID(subject), retention)
    with Kirjuri.open(replace(settings, master_key=raw_key.hex())) as reopened:
        report = build_access_report(reopened.ledger, UUID(subject))
        assert {v.value for v in report.personal_data} >= {VALUES["phone"]}


def init_with_eero(cli: Callable[..., tuple[int, str, str]]) -> None:
    assert cli("init", "--policy", POLICY)[0] == 0
    code, _, err = cli(
        "register",
        "--company",
        "Pumppu Oy",
        "--email",
        "eero@pumppu.example",
        "--source",
        "subject",
    )
    assert code == 0, err


def test_cli_rotation_replaces_the_key_file_and_keeps_data_readable(
    cli: Callable[..., tuple[int, str, str]],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(settings.master_key or "")
    key_file.chmod(0o600)
    monkeypatch.delenv("KIRJURI_MASTER_KEY")
    monkeypatch.setenv("KIRJURI_MASTER_KEY_FILE", str(key_file))
    init_with_eero(cli)
    old = key_file.read_text()
    code, out, _ = cli("keys", "rotate")
    assert code == 0 and json.loads(out)["rewrapped"] >= 2
    assert key_file.read_text() != old
    assert not key_file.with_name("master.key.new").exists()
    code, out, _ = cli("state", "eero@pumppu.example")
    assert (
        code == 0
        and json.loads(out)["values"]["email"]["value"] == "eero@pumppu.example"
    )


def test_erase_dry_run_writes_nothing(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    init_with_eero(cli)
    _, before, _ = cli("history", "--format", "jsonl")
    code, out, _ = cli("erase", "eero@pumppu.example", "--dry-run")
    assert code == 0 and json.loads(out)["would_destroy"] == ["relationship"]
    _, after, _ = cli("history", "--format", "jsonl")
    assert before == after
    code, out, _ = cli("erase", "eero@pumppu.example")
    assert code == 0 and "SubjectErased" in out
