"""The eventsourcing library is configured by the bootstrap, never by os.environ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.models import parse_command
from commands.service import Kirjuri
from tests.conftest import POLICY

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from commands.bootstrap import Settings


def test_library_variables_in_the_environment_do_not_move_the_ledger(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere" / "other.db"
    other.parent.mkdir()
    for name in ("KIRJURI_SQLITE_DBNAME", "SQLITE_DBNAME"):
        monkeypatch.setenv(name, str(other))
    # Would switch a PostgreSQL ledger to SQLite, or to another schema.
    for name in ("PERSISTENCE_MODULE", "KIRJURI_PERSISTENCE_MODULE"):
        monkeypatch.setenv(name, "eventsourcing.sqlite")
    monkeypatch.setenv("KIRJURI_POSTGRES_SCHEMA", "elsewhere")
    monkeypatch.setenv("POSTGRES_SCHEMA", "elsewhere")
    with Kirjuri.open(settings, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        outcome = kirjuri.execute(
            parse_command({"kind": "register", "company": "X Oy", "source": "subject"})
        )
    assert not other.exists()
    assert list(other.parent.iterdir()) == []
    for name in ("KIRJURI_SQLITE_DBNAME", "SQLITE_DBNAME", "PERSISTENCE_MODULE"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("KIRJURI_PERSISTENCE_MODULE")
    monkeypatch.delenv("KIRJURI_POSTGRES_SCHEMA")
    monkeypatch.delenv("POSTGRES_SCHEMA")
    # The configured database holds the event.
    with Kirjuri.open(settings) as kirjuri:
        assert kirjuri.ledger.exists(outcome.subject_id)
