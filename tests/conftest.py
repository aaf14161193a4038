"""Fixtures: every storage test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from commands.bootstrap import Settings
from commands.cli import main
from commands.service import Kirjuri
from ledger import clock
from tests.pgserver import postgres_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"


def delivery(subject: str, reference: str) -> dict[str, Any]:
    """A disclosure of a subject's name to the delivery partner (a command
    that breaks no rule of the shipped policy)."""
    return {
        "kind": "disclose",
        "subject": subject,
        "recipient": "delivery_partner",
        "categories": ["name"],
        "purpose": "order_delivery",
        "reference": reference,
    }


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A server for the whole run: KIRJURI_TEST_POSTGRES_URL, or one we start."""
    given = os.environ.get("KIRJURI_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of a fresh, empty ledger on each backend (a schema per test)."""
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    witness = tmp_path / "witness"  # never the working folder
    if request.param == "sqlite":
        return Settings(
            sqlite_path=tmp_path / "kirjuri.db", witness_path=witness, **keys
        )
    base = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(
        database_url=f"{base}?schema={schema}", witness_path=witness, **keys
    )


@pytest.fixture
def kirjuri(settings: Settings) -> Iterator[Kirjuri]:
    """An initialised ledger with the shipped Fluiconnecto policy."""
    with Kirjuri.open(settings, create=True) as opened:
        opened.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        yield opened


@pytest.fixture
def cli(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Callable[..., tuple[int, str, str]]:
    """Run ``kirjuri ARGS`` in-process against the backend under test."""
    monkeypatch.chdir(tmp_path)
    url = settings.database_url or f"sqlite:{settings.sqlite_path}"
    monkeypatch.setenv("KIRJURI_DATABASE_URL", url)
    monkeypatch.setenv("KIRJURI_MASTER_KEY", settings.master_key or "")
    monkeypatch.setenv("KIRJURI_SIGNING_KEY", settings.signing_key or "")
    monkeypatch.setenv("KIRJURI_LOG_LEVEL", "debug")

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def years_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger's clock moved to 2040: sweeps may destroy what falls due
    up to then (a sweep never destroys as of a moment still ahead)."""
    later = datetime(2040, 1, 1, tzinfo=clock.LOCAL_TZ)
    monkeypatch.setattr(clock, "now", lambda: later)
