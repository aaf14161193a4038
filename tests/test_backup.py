"""Backups: a consistent copy of a live ledger restores, verifies and answers
the same access report; both backends (PostgreSQL through pg_dump)."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from commands.service import Kirjuri
from ledger.errors import ConfigurationError
from tests.pgserver import _bindir
from tests.test_erasure import rich_subject, run

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from commands.bootstrap import Settings


def _answers(kirjuri: Kirjuri, subject: str) -> tuple[bool, dict[str, Any]]:
    """Whether the ledger verifies, and the access report (less its time)."""
    result = kirjuri.verify()
    report = kirjuri.access_report(subject).model_dump(mode="json")
    report.pop("generated_at")
    return result.ok and not result.problems, report


def _restore_postgres(settings: Settings, dump: Path) -> Settings:
    """pg_dump the ledger's schema and pg_restore it into a new database."""
    base, _, schema = (settings.database_url or "").partition("?schema=")
    bindir = _bindir()
    subprocess.run(
        [bindir / "pg_dump", "--format=custom", f"--schema={schema}", "-f", dump, base],
        check=True,
        capture_output=True,
    )
    name = f"restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target = base.rsplit("/", 1)[0] + f"/{name}"
    subprocess.run(
        [bindir / "pg_restore", "--no-owner", "-d", target, dump],
        check=True,
        capture_output=True,
    )
    return replace(settings, database_url=f"{target}?schema={schema}")


def test_a_backup_taken_beside_a_reader_restores_and_verifies(
    kirjuri: Kirjuri, settings: Settings, tmp_path: Path
) -> None:
    subject = rich_subject(kirjuri)
    kirjuri.checkpoint()
    before = _answers(kirjuri, subject)
    assert before[0]
    dest = tmp_path / "copy.db"
    if settings.database_url is None:
        reader = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM kirjuri_data_keys").fetchone()
        made = kirjuri.backup(dest)
        reader.execute("COMMIT")
        reader.close()
        assert made.bytes == dest.stat().st_size > 0
        assert dest.stat().st_mode & 0o077 == 0
        restored = replace(settings, sqlite_path=dest)
    else:
        with pytest.raises(ConfigurationError, match="backed up with pg_dump"):
            kirjuri.backup(dest)
        restored = _restore_postgres(settings, tmp_path / "ledger.dump")
    # Written after the backup: not in it.
    run(kirjuri, kind="register", company="Myöhään Oy", source="subject")
    with Kirjuri.open(restored) as copy:
        assert _answers(copy, subject) == before
        assert len(copy.history()) < len(kirjuri.history())


def test_a_backup_never_replaces_a_file(
    cli: Callable[..., tuple[int, str, str]], settings: Settings, tmp_path: Path
) -> None:
    if settings.database_url is not None:
        pytest.skip("a PostgreSQL ledger is backed up with pg_dump")
    with Kirjuri.open(settings, create=True):
        pass
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "nowhere.db")
    for dest in (existing, link, settings.sqlite_path):
        code, out, err = cli("backup", dest)
        assert (code, out) == (65, "")
        assert "exists; a backup never replaces a file" in err
    assert existing.read_text() == "keep me"
    assert not (tmp_path / "nowhere.db").exists()
    code, out, err = cli("backup", tmp_path / "new.db")
    assert code == 0, err
    assert "the keys are not in the backup" in err
    assert sorted(p.name for p in tmp_path.glob("*.partial")) == []


def test_postgres_backup_names_the_pg_dump_command(
    kirjuri: Kirjuri, settings: Settings, tmp_path: Path
) -> None:
    if settings.database_url is None:
        pytest.skip("SQLite is copied by kirjuri backup itself")
    schema = settings.database_url.partition("?schema=")[2]
    with pytest.raises(ConfigurationError) as err:
        kirjuri.backup(tmp_path / "x.dump")
    assert f"pg_dump --format=custom --schema={schema}" in str(err.value)
