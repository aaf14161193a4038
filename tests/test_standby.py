"""Reads on a hot standby: a primary and a standby fed by streaming
replication (pg_basebackup -R), started once for this module."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from commands.bootstrap import Settings
from commands.cli import main
from commands.models import parse_command
from commands.service import Kirjuri
from ledger.errors import ConfigurationError
from tests.api_helpers import REGISTER, client, token
from tests.conftest import POLICY
from tests.pgserver import _free_port, replicated_servers

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from ledger.standby import Standby, StandbyStats


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    with replicated_servers() as urls:
        yield urls


def _settings(
    servers: tuple[str, str],
    tmp_path: Path,
    *,
    read_url: str | None = None,
    **more: Any,
) -> Settings:
    primary, standby = servers
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(primary, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(
        database_url=f"{primary}?schema={schema}",
        read_database_url=read_url or f"{standby}?schema={schema}",
        master_key=secrets.token_hex(32),
        signing_key=secrets.token_hex(32),
        witness_path=tmp_path / "witness",
        **more,
    )


def _open(settings: Settings) -> Kirjuri:
    kirjuri = Kirjuri.open(settings, create=True)
    kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
    return kirjuri


@pytest.fixture
def kirjuri(servers: tuple[str, str], tmp_path: Path) -> Iterator[Kirjuri]:
    with _open(_settings(servers, tmp_path)) as opened:
        yield opened


def _register(kirjuri: Kirjuri, email: str = "aino.virtanen@esimerkki.fi") -> str:
    command = parse_command({**REGISTER, "email": email})
    return str(kirjuri.execute(command).subject_id)


def _stats(kirjuri: Kirjuri) -> StandbyStats:
    stats = kirjuri.standby_stats()
    assert stats is not None
    return stats


def _in_recovery(kirjuri: Kirjuri) -> bool:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute("SELECT pg_is_in_recovery() AS standby")
        return bool(cursor.fetchone()["standby"])


def _wait_for_replay(servers: tuple[str, str]) -> None:
    """Until the standby replayed all the primary wrote (a position, not a
    sleep: at most 30 s)."""
    with (
        psycopg.connect(servers[0], autocommit=True) as primary,
        psycopg.connect(servers[1], autocommit=True) as standby,
    ):
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        done = standby.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s, 1", target
        ).fetchone()
        tries = 0
        while done is not None and not done[0] and tries < 3000:
            done = standby.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s, pg_sleep(0.01)", target
            ).fetchone()
            tries += 1


def _standby(kirjuri: Kirjuri) -> Standby:
    assert kirjuri.standby is not None
    return kirjuri.standby


def test_reads_run_on_the_standby_and_writes_on_the_primary(kirjuri: Kirjuri) -> None:
    """A read call's queries reach the standby (a server in recovery);
    everything else, writes included, the primary."""
    assert _standby(kirjuri).run(lambda: _in_recovery(kirjuri)) is True
    assert _in_recovery(kirjuri) is False
    _register(kirjuri)  # writes: never refused as read-only
    assert _stats(kirjuri).fallbacks == {}


def test_a_caller_reads_its_own_write_from_the_standby(kirjuri: Kirjuri) -> None:
    """A subject registered a moment ago is in its state and its access
    report, answered by the standby rather than by a fallback."""
    subject = _register(kirjuri)
    state = kirjuri.state(subject)
    report = kirjuri.access_report("aino.virtanen@esimerkki.fi")
    assert (state.subject, state.company) == (subject, "Esimerkki Oy")
    assert report.subject.id == subject
    assert [row.subject_id for row in kirjuri.history(subject=subject)] != []
    stats = _stats(kirjuri)
    assert stats.reads >= 3
    assert stats.fallbacks == {}


def test_a_lagging_standby_sends_reads_to_the_primary(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    """With replay paused, a read waits its bound, then answers from the
    primary (counted as a lag fallback): the new subject is there."""
    settings = _settings(servers, tmp_path, read_wait=0.2)
    with (
        _open(settings) as kirjuri,
        psycopg.connect(servers[1], autocommit=True) as standby,
    ):
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            subject = _register(kirjuri, "lag@esimerkki.fi")
            state = kirjuri.state(subject)
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
        assert (state.subject, state.company) == (subject, "Esimerkki Oy")
        stats = _stats(kirjuri)
        assert stats.fallbacks.get("lag") == 1
        assert stats.wait_seconds > 0
        _wait_for_replay(servers)
        kirjuri.state(subject)  # replay resumed: the standby again
        assert stats.fallbacks.get("lag") == 1
        assert stats.reads >= 1


def test_a_read_that_writes_on_the_standby_is_run_on_the_primary(
    kirjuri: Kirjuri,
) -> None:
    """A read path that writes is refused by the standby as read-only: the
    call runs again on the primary and is counted, never an error."""
    schema = kirjuri.ledger.database.datastore.schema  # type: ignore[union-attr]

    def writing_read() -> bool:
        with kirjuri.ledger.database.datastore.transaction(commit=True) as cursor:
            cursor.execute(f'CREATE TABLE IF NOT EXISTS "{schema}".probe (a int)')
        return _in_recovery(kirjuri)

    assert _standby(kirjuri).run(writing_read) is False
    assert _stats(kirjuri).fallbacks == {"read_only": 1}


def test_a_standby_that_is_down_sends_reads_to_the_primary(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    """A standby nobody answers at: reads still answer, from the primary."""
    nowhere = f"postgresql://postgres@127.0.0.1:{_free_port()}/postgres"
    settings = _settings(servers, tmp_path, read_url=nowhere, read_wait=0.2)
    with _open(settings) as kirjuri:
        subject = _register(kirjuri)
        assert kirjuri.state(subject).subject == subject
        assert _stats(kirjuri).fallbacks == {"error": 1}


def test_the_api_answers_reads_from_the_standby_and_counts_them(
    kirjuri: Kirjuri,
) -> None:
    """The API's reads run on the standby; /metrics says how many."""
    with client(kirjuri) as api:
        headers = token(kirjuri, "dpo")
        made = api.post("/v1/commands", json=REGISTER, headers=token(kirjuri, "ingest"))
        assert made.status_code == 201, made.text
        subject = made.json()["subject"]
        state = api.get(f"/v1/subjects/{subject}/state", headers=headers)
        report = api.get(f"/v1/subjects/{subject}/access-report", headers=headers)
        metrics = api.get("/metrics", headers=headers).text
    assert state.status_code == 200
    assert report.status_code == 200
    assert report.json()["subject"]["id"] == subject
    served = next(
        line
        for line in metrics.splitlines()
        if line.startswith("kirjuri_standby_reads_total")
    )
    assert float(served.split()[-1]) >= 2
    assert 'kirjuri_standby_fallbacks_total{reason="lag"} 0.0' in metrics


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"KIRJURI_READ_DATABASE_URL": "postgresql://h/db"}, "PostgreSQL"),
        (
            {
                "KIRJURI_DATABASE_URL": "postgresql://h/db",
                "KIRJURI_READ_DATABASE_URL": "mysql://h/db",
            },
            "'mysql' is not postgresql",
        ),
        (
            {
                "KIRJURI_DATABASE_URL": "postgresql://h/db",
                "KIRJURI_READ_DATABASE_URL": "postgresql://h:port/db",
            },
            "port is not a number",
        ),
        ({"KIRJURI_READ_WAIT": "soon"}, "KIRJURI_READ_WAIT"),
    ],
)
def test_a_misconfigured_standby_is_one_line_naming_the_variable(
    environ: dict[str, str],
    named: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI says which variable is wrong, in one line, before any work."""
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_environ(environ)
    for name in (
        "KIRJURI_DATABASE_URL",
        "KIRJURI_READ_DATABASE_URL",
        "KIRJURI_READ_WAIT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["history"]) != 0
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith("kirjuri: error: KIRJURI_READ_")


def test_verify_and_signing_read_the_standby_and_write_the_primary(
    kirjuri: Kirjuri,
) -> None:
    """verify records how far it reached, and a report signs a checkpoint:
    those writes go to the primary, so neither read falls back."""
    _register(kirjuri)
    kirjuri.access_report("aino.virtanen@esimerkki.fi")
    result = kirjuri.verify()
    assert result.ok, result.problems
    assert kirjuri.notary.last_verified() == kirjuri.ledger.head()
    stats = _stats(kirjuri)
    assert stats.fallbacks == {}
    assert stats.reads >= 2


def test_the_web_views_and_reports_are_all_served_by_the_standby(
    kirjuri: Kirjuri,
) -> None:
    """Each of the pages' views and the reports reads the standby: none
    writes there by surprise (which would count a read-only fallback)."""
    subject = _register(kirjuri)
    views = (
        kirjuri.today,
        lambda: kirjuri.person(subject),
        kirjuri.integrity_overview,
        kirjuri.findings,
        kirjuri.requests,
        kirjuri.processing_record,
        lambda: kirjuri.subjects("Esimerkki"),
        lambda: kirjuri.export(subject),
        kirjuri.retention_report,
        lambda: kirjuri.inquiry(subject=subject),
        lambda: kirjuri.prove(subject=subject),
    )
    for view in views:
        view()
    stats = _stats(kirjuri)
    assert (stats.reads, stats.fallbacks) == (len(views), {})
