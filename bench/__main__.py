"""``make bench``: Kirjuri's hot paths beside baselines measured in the same run.

On SQLite and on a PostgreSQL this run starts itself:
- ingest through the command path (validation, policy, encryption), events/s,
  beside the eventsourcing library's plain ``Application.save`` of one event
  per save, and a raw bulk insert of the same stored rows (COPY / executemany);
- read-model rebuild, events/s, beside the library's raw notification read;
- access-report latency p50/p99 for a subject with about 200 events.
Writes bench/results/<date>.json and BENCHMARKS.md. BENCH_EVENTS sets the size.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from commands.bootstrap import Settings
from commands.logs import configure_logging
from commands.models import parse_command
from commands.service import Kirjuri
from projections.reports.access import build_access_report
from tests.pgserver import postgres_server

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"
EVENTS = int(os.environ.get("BENCH_EVENTS", "3000"))


class Plain(Aggregate):
    """The library's peer: an aggregate with one event of a similar size."""

    @event("Noted")
    def note(self, text: str) -> None:
        pass


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def bench_ingest(kirjuri: Kirjuri, count: int) -> tuple[float, str]:
    """Register subjects, then disclosures to them: one command, one append."""
    subjects = []
    started = time.perf_counter()
    events = 0
    for i in range(count // 5):
        outcome = kirjuri.execute(
            parse_command(
                {
                    "kind": "register",
                    "company": f"Yritys {i} Oy",
                    "name": f"Henkilö {i}",
                    "email": f"henkilo{i}@yritys.example",
                    "source": "event_attendee_list",
                }
            ),
            catch_up=False,
        )
        subjects.append(str(outcome.subject_id))
        events += len(outcome.events)
    while events < count:
        subject = subjects[events % len(subjects)]
        outcome = kirjuri.execute(
            parse_command(
                {
                    "kind": "disclose",
                    "subject": subject,
                    "recipient": "delivery_partner",
                    "categories": ["name", "delivery_address"],
                    "purpose": "order_delivery",
                    "reference": f"{events}",
                }
            ),
            catch_up=False,
        )
        events += len(outcome.events)
    return _rate(events, time.perf_counter() - started), subjects[0]


def bench_plain_save(env: dict[str, str], count: int) -> float:
    """The library's own save, into its own database file or schema."""
    env = dict(env)
    if "SQLITE_DBNAME" in env:
        env["SQLITE_DBNAME"] += ".plain"
    else:
        with psycopg.connect(_pg_url(env), autocommit=True) as conn:
            conn.execute(
                f'CREATE SCHEMA IF NOT EXISTS "{env["POSTGRES_SCHEMA"]}_plain"'
            )
        env["POSTGRES_SCHEMA"] += "_plain"
    app: Application[Any] = Application(env=env)
    app.name = "plain"
    text = "x" * 300  # about the size of a sealed disclosure event's state
    started = time.perf_counter()
    aggregate = Plain()
    app.save(aggregate)
    for _ in range(count - 1):
        aggregate.note(text)
        app.save(aggregate)
    seconds = time.perf_counter() - started
    app.close()
    return _rate(count, seconds)


def _pg_url(env: dict[str, str]) -> str:
    return (
        f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:"
        f"{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
    )


def bench_raw_bulk(kirjuri: Kirjuri) -> float:
    """Re-insert the ledger's own stored rows in one bulk statement."""
    rows = kirjuri.ledger.recorder.select_notifications(start=1, limit=10**9)
    database = kirjuri.ledger.database
    started = time.perf_counter()
    with database.transaction() as cursor:
        cursor.execute(
            "CREATE TABLE {p}bench_copy (originator_id TEXT, originator_version"
            " INTEGER, topic TEXT, state {blob})"
        )
        if database.backend == "postgres":
            with cursor.raw.copy(database.sql("COPY {p}bench_copy FROM STDIN")) as copy:
                for n in rows:
                    copy.write_row(
                        (str(n.originator_id), n.originator_version, n.topic, n.state)
                    )
        else:
            cursor.executemany(
                "INSERT INTO {p}bench_copy VALUES (%s, %s, %s, %s)",
                [
                    (str(n.originator_id), n.originator_version, n.topic, n.state)
                    for n in rows
                ],
            )
    seconds = time.perf_counter() - started
    with database.transaction() as cursor:
        cursor.execute("DROP TABLE {p}bench_copy")
    return _rate(len(rows), seconds)


def bench_rebuild(kirjuri: Kirjuri) -> tuple[float, float]:
    head = kirjuri.ledger.head()
    started = time.perf_counter()
    position = 0
    while batch := kirjuri.ledger.notifications(position, 1000):
        position = batch[-1].id
    raw = _rate(head, time.perf_counter() - started)
    started = time.perf_counter()
    kirjuri.projector.rebuild()
    return _rate(head, time.perf_counter() - started), raw


def bench_report(kirjuri: Kirjuri, email: str) -> tuple[float, float, int]:
    subject = kirjuri.resolve(email)
    for i in range(200 - len(kirjuri.ledger.stream(subject))):
        kirjuri.execute(
            parse_command(
                {
                    "kind": "disclose",
                    "subject": str(subject),
                    "recipient": "debt_collector",
                    "categories": ["name"],
                    "purpose": "debt_collection",
                    "reference": str(i),
                }
            ),
            catch_up=False,
        )
    kirjuri.catch_up()
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        build_access_report(kirjuri.ledger, subject)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = quantiles(timings, n=100)
    return cuts[49], cuts[98], len(kirjuri.ledger.stream(subject))


def run_backend(name: str, settings: Settings) -> dict[str, Any]:
    print(f"{name}: {EVENTS} events…", file=sys.stderr)
    with Kirjuri.open(settings, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        ingest, first = bench_ingest(kirjuri, EVENTS)
        plain = bench_plain_save(settings.eventsourcing_env(), EVENTS)
        bulk = bench_raw_bulk(kirjuri)
        rebuild, raw_read = bench_rebuild(kirjuri)
        kirjuri.catch_up()
        p50, p99, size = bench_report(kirjuri, _email_of(kirjuri, first))
    return {
        "ingest_events_per_s": round(ingest),
        "plain_save_events_per_s": round(plain),
        "raw_bulk_rows_per_s": round(bulk),
        "ingest_vs_plain_save": round(ingest / plain, 2),
        "ingest_vs_raw_bulk": round(ingest / bulk, 3),
        "rebuild_events_per_s": round(rebuild),
        "raw_read_events_per_s": round(raw_read),
        "rebuild_vs_raw_read": round(rebuild / raw_read, 3),
        "report_p50_ms": round(p50, 2),
        "report_p99_ms": round(p99, 2),
        "report_subject_events": size,
    }


def _email_of(kirjuri: Kirjuri, subject: str) -> str:
    state = kirjuri.ledger.load(uuid.UUID(subject))
    return kirjuri.ledger.open(state.id, "email", state.current_values()["email"].value)


def write_markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {results['date']} on {results['machine']} "
        f"({results['cpus']} cores), "
        f"Python {results['python']}, {results['events']} events per backend, by "
        "`make bench`. Every figure sits beside its baseline from the same run.",
        "",
        "| figure | SQLite | PostgreSQL |",
        "|---|---|---|",
    ]
    for key in results["sqlite"]:
        lines.append(
            f"| {key} | {results['sqlite'][key]} | {results['postgres'][key]} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    configure_logging("warning")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "events": EVENTS,
    }
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = run_backend(
            "sqlite",
            Settings(
                sqlite_path=Path(folder) / "bench.db", master_key=secrets.token_hex(32)
            ),
        )
    with postgres_server() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA bench")
        results["postgres"] = run_backend(
            "postgres",
            Settings(
                database_url=f"{url}?schema=bench", master_key=secrets.token_hex(32)
            ),
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{results['date']}.json").write_text(json.dumps(results, indent=2) + "\n")
    (ROOT / "BENCHMARKS.md").write_text(write_markdown(results))
    print(write_markdown(results))


if __name__ == "__main__":
    main()
