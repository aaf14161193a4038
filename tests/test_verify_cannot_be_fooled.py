"""Verify cannot be fooled (issue 9), on both backends, through the CLI.

An administrator with database access alters what the reports read, deletes
checkpoints, truncates the newest events with their checkpoints, leaves an
event that no longer decodes, or empties the Merkle log's tables: verify
names each, never crashes, and a clean ledger still verifies.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    """A year of the notice's processing, signed; nothing verified yet."""
    for args in (
        ("init", "--policy", ROOT / "policies" / "fluiconnecto.toml"),
        ("import", ROOT / "examples" / "crm-contacts.csv", "--source",
         "event_attendee_list"),
        ("apply", ROOT / "examples" / "year-2025.jsonl"),
    ):  # fmt: skip
        code, _, err = cli(*args)
        assert code == 0, err


def _sql(settings: Settings, statement: str, params: tuple[Any, ...] = ()) -> Any:
    with Kirjuri.open(settings) as kirjuri:
        table, column = events_table(kirjuri)
        statement = statement.replace("{events}", table).replace("{seq}", column)
        with kirjuri.ledger.database.transaction() as cursor:
            cursor.execute(statement, params)
            try:
                return cursor.fetchall()
            except Exception:  # a statement without rows
                return None


def _feed(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "more.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _flip_a_byte_of_someone_else(settings: Settings) -> None:
    """Alter a stored event of a subject other than Aino (whom the tests
    write to next), and not of the policy, so that writes still load."""
    with Kirjuri.open(settings) as kirjuri:
        aino = kirjuri.resolve(AINO)
        found = next(
            n
            for n in kirjuri.ledger.notifications(None, 100)
            if n.originator_id != aino and n.topic == "DataCollected"
        )
    state = bytearray(found.state)
    state[-3] ^= 1
    _sql(settings, "UPDATE {events} SET state = %s WHERE {seq} = %s",
         (bytes(state), found.id))  # fmt: skip


OBJECTION = (
    '{"kind": "object", "subject": "' + AINO + '", "scope": "direct_marketing",'
    ' "channel": "email"}'
)


# Read models -----------------------------------------------------------------

ALTERATIONS = [
    pytest.param(
        "UPDATE {p}kirjuri_audit SET recipient = 'police'"
        " WHERE recipient = 'debt_collector'",
        "audit: kirjuri_audit: row notification_id=",
        "column recipient",
        id="audit",
    ),
    pytest.param(
        "UPDATE {p}kirjuri_subjects SET erased_at = '2025-01-01T00:00:00+00:00'"
        " WHERE erased_at IS NULL",
        "contacts: kirjuri_subjects: row subject_id=",
        "column erased_at",
        id="contacts",
    ),
    pytest.param(
        "UPDATE {p}kirjuri_requests SET status = 'answered' WHERE status = 'open'",
        "requests: kirjuri_requests: row request_id=",
        "column status",
        id="requests",
    ),
]


@pytest.mark.parametrize(("statement", "names", "column"), ALTERATIONS)
def test_an_altered_read_model_row_fails_verify_read_models_until_rebuilt(  # noqa: PLR0917 - fixtures and parameters
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    settings: Settings,
    statement: str,
    names: str,
    column: str,
) -> None:
    """The row, its key and its column are named; a rebuild mends it."""
    code, out, err = cli("verify", "--read-models")
    assert code == 0, err
    assert "10 read models compared" in out
    _sql(settings, statement)
    code, out, err = cli("verify", "--read-models")
    assert code == 1
    assert out.startswith("FAILED")
    problems = [line for line in err.splitlines() if "verify: read-model" in line]
    assert len(problems) == 1, err
    assert names in problems[0]
    assert column in problems[0]
    assert "Traceback" not in err
    assert cli("projections", "rebuild")[0] == 0
    code, out, err = cli("verify", "--read-models")
    assert code == 0, err


def test_a_rebuild_row_deleted_or_added_is_named(
    cli: Callable[..., tuple[int, str, str]], recorded: None, settings: Settings
) -> None:
    rows = _sql(settings, "SELECT MIN(notification_id) AS n FROM {p}kirjuri_audit")
    first = rows[0]["n"]
    _sql(settings, "DELETE FROM {p}kirjuri_audit WHERE notification_id = %s", (first,))
    code, _, err = cli("verify", "--read-models")
    assert code == 1
    assert f"row notification_id={first} is missing" in err


def test_the_access_report_names_when_its_read_models_were_checked(
    cli: Callable[..., tuple[int, str, str]], recorded: None
) -> None:
    code, out, _ = cli("access-report", AINO, "--format", "markdown")
    assert code == 0
    assert "last checked against the ledger" not in out  # never checked yet
    code, out, err = cli("verify", "--read-models")
    assert code == 0, err
    events = int(out.split(": ")[1].split(" ")[0])
    code, out, _ = cli("access-report", AINO, "--format", "markdown")
    assert code == 0
    assert "last checked against the ledger" in out
    assert f"at checkpoint {events} (events covered)" in out


# The witness ---------------------------------------------------------------


def test_deleting_every_checkpoint_is_refused_by_the_witness(
    cli: Callable[..., tuple[int, str, str]], recorded: None, settings: Settings
) -> None:
    code, out, err = cli("verify")
    assert code == 0, err
    size = int(out.split(": ")[1].split(" ")[0])
    assert out.rstrip().endswith(f"witness at {size}")
    _sql(settings, "DELETE FROM {p}kirjuri_checkpoints")
    code, out, err = cli("verify")
    assert code == 1
    assert "0 checkpoints" not in out  # the witnessed one is checked too
    assert f"the witness holds checkpoint {size}" in err
    assert "checkpoints were removed" in err


def test_truncating_the_newest_events_with_their_checkpoints_is_refused(
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    code, out, _ = cli("verify")
    kept = int(out.split(": ")[1].split(" ")[0])
    assert cli("apply", _feed(tmp_path, OBJECTION))[0] == 0
    code, out, err = cli("verify")
    assert code == 0, err
    # The objection and its receipt (the line's command id).
    assert out.rstrip().endswith(f"witness at {kept + 2}")
    _sql(settings, "DELETE FROM {events} WHERE {seq} > %s", (kept,))
    _sql(settings, "DELETE FROM {p}kirjuri_checkpoints WHERE tree_size > %s", (kept,))
    _sql(
        settings, "DELETE FROM {p}kirjuri_merkle_leaves WHERE leaf_index >= %s", (kept,)
    )
    code, _, err = cli("verify", "--no-witness")
    assert code == 0, err  # what the database holds agrees with itself…
    code, out, err = cli("verify")
    assert code == 1  # …but not with what the witness saw
    assert f"checkpoint {kept + 2}" in err
    assert "were removed" in err


def test_a_clean_ledger_advances_a_fresh_witness(
    cli: Callable[..., tuple[int, str, str]], recorded: None, tmp_path: Path
) -> None:
    folder = tmp_path / "auditor"
    code, out, err = cli("verify", "--witness", folder)
    assert code == 0, err
    first = int(out.split(": ")[1].split(" ")[0])
    assert [p.name for p in folder.glob("*/checkpoint-*.txt")] == [
        f"checkpoint-{first:012d}.txt"
    ]
    assert cli("apply", _feed(tmp_path, OBJECTION))[0] == 0
    code, out, err = cli("verify", "--witness", folder)
    assert code == 0, err
    assert out.rstrip().endswith(f"witness at {first + 2}")
    assert len(list(folder.glob("*/checkpoint-*.txt"))) == 2


def test_kirjuri_witness_checks_consistency_on_each_run(
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "auditor"
    _, key, _ = cli("keys", "public")
    code, out, err = cli("witness", "--dir", folder, "--public-key", key.strip())
    assert code == 0, err
    assert "(the first seen)" in out
    first = int(out.split("checkpoint ")[1].split(" ")[0])
    assert cli("apply", _feed(tmp_path, OBJECTION))[0] == 0
    code, out, err = cli("witness", "--dir", folder)
    assert code == 0, err
    assert f"extends checkpoint {first} (consistency proof checked)" in out
    # A rewritten history: the newest checkpoint no longer extends the first.
    _sql(settings, "DELETE FROM {p}kirjuri_checkpoints WHERE tree_size > %s", (first,))
    _sql(settings, "UPDATE {p}kirjuri_merkle_leaves SET hash = %s WHERE leaf_index = 0",
         (b"\x00" * 32,))  # fmt: skip
    _sql(settings, "DELETE FROM {p}kirjuri_merkle_nodes")
    code, out, err = cli("witness", "--dir", folder)
    assert code == 1
    assert "Traceback" not in err


# Faults ----------------------------------------------------------------------


def test_an_undecodable_event_is_named_and_no_read_model_is_touched(
    cli: Callable[..., tuple[int, str, str]], recorded: None, settings: Settings
) -> None:
    """Verify reads the stored log, never the read models: one behind stays
    behind, records no fault, and the bad event is named by its sequence."""
    _sql(
        settings,
        "UPDATE {events} SET state = %s WHERE {seq} = 9",
        (b"\xff\x00garbage",),
    )
    with Kirjuri.open(settings) as kirjuri:
        name = kirjuri.projector.tracking_name(kirjuri.projector.models[0])
        table = getattr(kirjuri.projector.tracking, "tracking_table_name", "tracking")
    _sql(settings, f"DELETE FROM {{p}}{table} WHERE application_name = %s", (name,))
    _sql(
        settings,
        f"INSERT INTO {{p}}{table} (application_name, notification_id) VALUES (%s, 8)",
        (name,),
    )
    code, _, err = cli("verify")
    assert code == 1
    assert "altered: seq 9 " in err
    assert "Traceback" not in err
    with Kirjuri.open(settings) as kirjuri:
        status = kirjuri.projection_status()
    assert status.positions[kirjuri.projector.models[0].name] == 8
    assert status.faults == ()
    code, _, err = cli("verify", "--read-models")
    assert code == 1
    assert "undecodable: seq 9 " in err
    assert "Traceback" not in err


def test_emptied_merkle_tables_are_rebuilt_by_the_next_write(
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    _sql(settings, "DELETE FROM {p}kirjuri_merkle_leaves")
    _sql(settings, "DELETE FROM {p}kirjuri_merkle_nodes")
    code, _, err = cli("verify")
    assert code == 1  # the gap is said, not passed over
    assert "the Merkle log holds 0 leaves" in err
    code, _, err = cli("apply", _feed(tmp_path, OBJECTION))
    assert code == 0, err  # stored, and signed
    assert "Traceback" not in err
    code, _, err = cli("verify")
    assert code == 0, err
    code, _, err = cli("prove", "--sequence", "3", "-o", tmp_path / "e.json")
    assert code == 0, err


def test_a_tampered_log_behind_an_emptied_cache_is_not_signed(
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    _flip_a_byte_of_someone_else(settings)
    _sql(settings, "DELETE FROM {p}kirjuri_merkle_leaves")
    _sql(settings, "DELETE FROM {p}kirjuri_merkle_nodes")
    code, _, err = cli("apply", _feed(tmp_path, OBJECTION))
    assert code == 1, err  # recorded, but the altered tree is not signed
    assert "does not extend checkpoint" in err
    assert "Traceback" not in err
    code, _, err = cli("verify")
    assert code == 1
    assert "root:" in err


def test_a_witness_that_cannot_be_written_is_one_line(
    cli: Callable[..., tuple[int, str, str]], recorded: None, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = cli("verify", "--witness", blocker / "witness")
    assert code == 74
    assert err.count("\n") == 1 and "witness:" in err
    code, _, err = cli("verify", "--read-models", "--from", "3")
    assert code == 65
    assert "read-models" in err


def test_a_history_rewritten_and_signed_again_is_caught_by_the_witness(
    cli: Callable[..., tuple[int, str, str]],
    recorded: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """With the signing key at hand, an attacker alters an event, drops the
    checkpoints and the Merkle log and signs the new tree: the database
    agrees with itself, the witness does not."""
    folder = tmp_path / "auditor"
    code, out, err = cli("verify", "--witness", folder)
    assert code == 0, err
    size = int(out.split(": ")[1].split(" ")[0])
    assert cli("witness", "--dir", tmp_path / "auditor-2")[0] == 0
    _flip_a_byte_of_someone_else(settings)
    for table in (
        "kirjuri_checkpoints",
        "kirjuri_merkle_leaves",
        "kirjuri_merkle_nodes",
    ):
        _sql(settings, f"DELETE FROM {{p}}{table}")
    assert cli("checkpoint")[0] == 0  # a fresh history, signed
    code, _, err = cli("verify", "--no-witness")
    assert code == 0, err
    code, _, err = cli("verify", "--witness", folder)
    assert code == 1
    assert f"lack the root signed in checkpoint {size}" in err
    code, _, err = cli("witness", "--dir", tmp_path / "auditor-2")
    assert code == 1
    assert f"does not extend the witnessed checkpoint {size}" in err


def test_a_witness_file_replaced_by_garbage_is_one_line(
    cli: Callable[..., tuple[int, str, str]], recorded: None, tmp_path: Path
) -> None:
    folder = tmp_path / "auditor"
    assert cli("verify", "--witness", folder)[0] == 0
    (note,) = folder.glob("*/checkpoint-*.txt")
    note.write_text("not a checkpoint\n")
    code, _, err = cli("verify", "--witness", folder)
    assert code == 74
    assert err.count("\n") == 1 and "not a checkpoint" in err
