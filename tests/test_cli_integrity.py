"""Integrity through the CLI: checkpoints, verify, evidence for third parties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from commands.service import Kirjuri
from tests.rawdb import events_table

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.bootstrap import Settings

ROOT = Path(__file__).resolve().parent.parent
AINO = "aino.virtanen@esimerkki.fi"


@pytest.fixture
def recorded(cli: Callable[..., tuple[int, str, str]]) -> None:
    for args in (
        ("init", "--policy", ROOT / "policies" / "fluiconnecto.toml"),
        (
            "import",
            ROOT / "examples" / "crm-contacts.csv",
            "--source",
            "event_attendee_list",
        ),
        ("apply", ROOT / "examples" / "year-2025.jsonl"),
    ):
        code, _, err = cli(*args)
        assert code == 0, err
        assert "checkpoint" in err or args[0] == "init"  # batches are signed


def test_a_year_verifies_and_a_subjects_evidence_checks_offline(
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = cli("verify")
    assert (code, out.split(":")[0]) == (0, "verified")
    code, key, _ = cli("keys", "public")
    assert code == 0 and key.startswith("kirjuri/")
    evidence = tmp_path / "aino.json"
    code, _, err = cli("prove", "--subject", AINO, "-o", evidence)
    assert code == 0, err
    events = json.loads(evidence.read_text())["events"]
    assert len(events) > 15
    # No database: the auditor has only the file and the public key.
    monkeypatch.setenv("KIRJURI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, out, _ = cli("verify-proof", evidence, "--public-key", key.strip())
    assert code == 0, out
    assert out.startswith(f"verified: {len(events)} events")


def test_a_forged_evidence_file_fails_offline(
    cli: Callable[..., tuple[int, str, str]], recorded: None, tmp_path: Path
) -> None:
    _, key, _ = cli("keys", "public")
    evidence = tmp_path / "one.json"
    assert cli("prove", "--sequence", "9", "-o", evidence)[0] == 0
    data = json.loads(evidence.read_text())
    data["events"][0]["version"] += 1
    evidence.write_text(json.dumps(data))
    code, _, err = cli("verify-proof", evidence, "--public-key", key.strip())
    assert code == 1
    assert "event 1 (seq 9)" in err


def test_verify_fails_naming_the_altered_event(
    cli: Callable[..., tuple[int, str, str]], recorded: None, settings: Settings
) -> None:
    with Kirjuri.open(settings) as kirjuri:
        table, column = events_table(kirjuri)
        with kirjuri.ledger.database.transaction() as cursor:
            cursor.execute(
                f"UPDATE {table} SET topic = 'ConsentGiven' WHERE {column} = 20"
            )
    code, out, err = cli("verify")
    assert code == 1
    assert out.startswith("FAILED")
    assert err.splitlines()[0].startswith("kirjuri: verify: altered: seq 20 (stream ")
    code, out, _ = cli("verify", "--from", "15", "--to", "25")
    assert code == 1


def test_checkpoints_export_as_plain_notes(
    cli: Callable[..., tuple[int, str, str]], recorded: None, tmp_path: Path
) -> None:
    code, out, _ = cli("checkpoints", "--export", tmp_path / "cps")
    files = sorted((tmp_path / "cps").iterdir())
    assert code == 0 and len(files) >= 2
    note = files[-1].read_text()
    assert note.splitlines()[0].startswith("kirjuri/")
    assert "\n\n\u2014 kirjuri/" in note
    code, out, _ = cli("verify", "--checkpoint", files[-1])
    assert code == 0, out
    code, out, _ = cli("verify", "--incremental")
    assert code == 0 and "verified: 0 events" in out


def test_access_report_names_the_checkpoint_it_was_made_at(
    cli: Callable[..., tuple[int, str, str]], recorded: None
) -> None:
    _, out, _ = cli("access-report", AINO, "--format", "json")
    integrity = json.loads(out)["integrity"]
    _, listed, _ = cli("checkpoints")
    size, _, root = listed.splitlines()[-1].split("\t")
    assert (integrity["tree_size"], integrity["root"]) == (int(size), root)
    assert integrity["subject_events"] > 15
