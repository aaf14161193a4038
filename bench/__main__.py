"""``make bench``: Kirjuri's hot paths beside baselines measured in the same run.

On SQLite and on a PostgreSQL this run starts itself, on the same rows:

- bulk ingest through the command path (validation, policy, encryption,
  read models and Merkle log), events/s, beside the eventsourcing library's
  plain ``Application.save`` of one event each (the peer) and a raw bulk
  insert of the same stored rows (PostgreSQL COPY, SQLite executemany);
- one command's append latency p50/p99 beside one raw single-row commit;
- read-model rebuild, events/s, beside the library's raw notification read;
- access report p50/p99 for random subjects and for the largest, and a
  ``history`` query for a recipient over a year, in a ledger of REPORT_EVENTS;
- verify, proofs and peak memory (bench.integrity, bench.memory).

Figures go to bench/results/<date>.json and BENCHMARKS.md. BENCH_SCALE=large
raises the sizes (1 M ingest; a 10 M-event report ledger on PostgreSQL; 1 M
for integrity).
"""

from __future__ import annotations

import json
import os
import platform
import random
import secrets
import sqlite3
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

from bench import integrity, memory
from bench.generate import generate
from commands.bootstrap import Settings
from commands.logs import configure_logging
from commands.models import parse_command
from commands.service import Kirjuri
from projections import queries
from projections.reports.access import build_access_report
from tests.pgserver import postgres_server

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"
LARGE = os.environ.get("BENCH_SCALE") == "large"
INGEST_EVENTS = int(os.environ.get("BENCH_EVENTS") or (1_000_000 if LARGE else 40_000))
REPORT_EVENTS = 1_000_000
PLAIN_SAVES = 3_000
SAMPLES = 200


class Plain(Aggregate):
    """The library's peer: an aggregate with one event of a similar size."""

    @event("Noted")
    def note(self, text: str) -> None:
        pass


def _p(values: list[float], percent: int) -> float:
    return round(quantiles(values, n=100)[percent - 1], 2)


def _keys() -> dict[str, str]:
    return {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}


def _open(settings: Settings) -> Kirjuri:
    kirjuri = Kirjuri.open(settings, create=True)
    kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
    return kirjuri


def bench_ingest(kirjuri: Kirjuri, events: int) -> dict[str, Any]:
    # Parsing (validation at the edge) is part of the command path: timed too.
    commands = ((i, parse_command(c)) for i, c in enumerate(generate(events)))
    started = time.perf_counter()
    report = kirjuri.execute_many(commands)
    seconds = time.perf_counter() - started
    return {
        "ingest_events": kirjuri.ledger.head(),
        "ingest_events_per_s": round(kirjuri.ledger.head() / seconds),
        "ingest_commands_rejected": len(report.rejected),
    }


def bench_plain_save(env: dict[str, str]) -> float:
    """The library's own save, one event per save, in its own file or schema."""
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
    text = "x" * 300  # about the size of a sealed event's state
    started = time.perf_counter()
    aggregate = Plain()
    app.save(aggregate)
    for _ in range(PLAIN_SAVES - 1):
        aggregate.note(text)
        app.save(aggregate)
    seconds = time.perf_counter() - started
    app.close()
    return PLAIN_SAVES / seconds


def _pg_url(env: dict[str, str]) -> str:
    return (
        f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:"
        f"{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
    )


def bench_raw_bulk(kirjuri: Kirjuri) -> float:
    """The ledger's own stored rows, inserted again in one bulk statement."""
    rows = [
        (str(n.originator_id), n.originator_version, n.topic, n.state)
        for n in kirjuri.ledger.notifications(None, 10**9)
    ]
    database = kirjuri.ledger.database
    started = time.perf_counter()
    with database.transaction() as cursor:
        cursor.execute(
            "CREATE TABLE {p}bench_copy (originator_id TEXT, originator_version"
            " INTEGER, topic TEXT, state {blob})"
        )
        if database.backend == "postgres":
            with cursor.raw.copy(database.sql("COPY {p}bench_copy FROM STDIN")) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO {p}bench_copy VALUES (%s, %s, %s, %s)", rows
            )
    seconds = time.perf_counter() - started
    with database.transaction() as cursor:
        cursor.execute("DROP TABLE {p}bench_copy")
    return len(rows) / seconds


def bench_latency(kirjuri: Kirjuri, settings: Settings) -> dict[str, Any]:
    """One command, one append (and its catch-up), against one raw commit."""
    subject = str(kirjuri.ledger.notifications(1, 1)[0].originator_id)
    ours = []
    for i in range(SAMPLES):
        command = parse_command(
            {
                "kind": "disclose",
                "subject": subject,
                "recipient": "delivery_partner",
                "categories": ["name"],
                "purpose": "order_delivery",
                "reference": f"L{i}",
            }
        )
        started = time.perf_counter()
        kirjuri.execute(command)
        ours.append((time.perf_counter() - started) * 1000)
    raw = _raw_commits(settings)
    return {
        "append_p50_ms": _p(ours, 50),
        "append_p99_ms": _p(ours, 99),
        "raw_commit_p50_ms": _p(raw, 50),
        "raw_commit_p99_ms": _p(raw, 99),
    }


def _raw_commits(settings: Settings) -> list[float]:
    timings = []
    if settings.database_url is None:
        conn = sqlite3.connect(str(settings.sqlite_path) + ".raw", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (a INTEGER, b BLOB)")
        for i in range(SAMPLES):
            started = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO t VALUES (?, ?)", (i, b"x" * 300))
            conn.execute("COMMIT")
            timings.append((time.perf_counter() - started) * 1000)
        conn.close()
        return timings
    base = settings.database_url.partition("?")[0]
    with psycopg.connect(base) as conn:
        conn.execute("CREATE TEMP TABLE t (a INTEGER, b BYTEA)")
        conn.commit()
        for i in range(SAMPLES):
            started = time.perf_counter()
            conn.execute("INSERT INTO t VALUES (%s, %s)", (i, b"x" * 300))
            conn.commit()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def bench_rebuild(kirjuri: Kirjuri) -> dict[str, Any]:
    head = kirjuri.ledger.head()
    started = time.perf_counter()
    after = None
    while batch := kirjuri.ledger.notifications(after, 10_000):
        after = batch[-1].id
    raw = head / (time.perf_counter() - started)
    started = time.perf_counter()
    kirjuri.projector.rebuild()
    rebuild = head / (time.perf_counter() - started)
    return {
        "rebuild_events_per_s": round(rebuild),
        "raw_read_events_per_s": round(raw),
        "rebuild_vs_raw_read": round(rebuild / raw, 3),
    }


def bench_reports(kirjuri: Kirjuri, events: int) -> dict[str, Any]:
    """A ledger of ``events`` (synthetic copies, then read models rebuilt), a
    subject of 200 events in it, and report and history latencies."""
    integrity.fill(kirjuri, events)
    kirjuri.projector.rebuild()
    focus = _subject_with(kirjuri, 200)
    subjects = _some_subjects(kirjuri, SAMPLES)
    ledger = kirjuri.ledger
    random_ms, focus_ms, history_ms = [], [], []
    for subject in subjects:
        started = time.perf_counter()
        build_access_report(ledger, subject)
        random_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        build_access_report(ledger, focus)
        focus_ms.append((time.perf_counter() - started) * 1000)
    year = queries.HistoryFilter(
        recipient="debt_collector",
        since=datetime(2025, 1, 1, tzinfo=UTC),
        until=datetime(2026, 1, 1, tzinfo=UTC),
    )
    for _ in range(20):
        started = time.perf_counter()
        rows = queries.history(ledger.database, year)
        history_ms.append((time.perf_counter() - started) * 1000)
    return {
        "report_ledger_events": ledger.head(),
        "report_random_p50_ms": _p(random_ms, 50),
        "report_random_p99_ms": _p(random_ms, 99),
        "report_200_events_p50_ms": _p(focus_ms, 50),
        "report_200_events_p99_ms": _p(focus_ms, 99),
        "history_recipient_year_rows": len(rows),
        "history_recipient_year_p50_ms": _p(history_ms, 50),
    }


def _subject_with(kirjuri: Kirjuri, events: int) -> Any:
    outcome = kirjuri.execute(
        parse_command(
            {
                "kind": "register",
                "company": "Avainasiakas Oy",
                "source": "subject",
                "email": "avain@asiakas.example",
                "name": "Avain Asiakas",
            }
        )
    )
    subject = str(outcome.subject_id)
    commands = [
        (
            i,
            parse_command(
                {
                    "kind": "disclose",
                    "subject": subject,
                    "recipient": "debt_collector",
                    "categories": ["name"],
                    "purpose": "debt_collection",
                    "reference": f"INV-{i}",
                    "at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                }
            ),
        )
        for i in range(events - len(outcome.events))
    ]
    kirjuri.execute_many(commands)
    return outcome.subject_id


def _some_subjects(kirjuri: Kirjuri, count: int) -> list[Any]:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute("SELECT subject_id FROM {p}kirjuri_subjects")
        ids = [row["subject_id"] for row in cursor.fetchall()]
    rng = random.Random(7)
    return [uuid.UUID(i) for i in rng.sample(ids, min(count, len(ids)))]


def run_backend(name: str, settings: Settings) -> dict[str, Any]:
    print(f"{name}: ingest {INGEST_EVENTS} events…", file=sys.stderr)
    with _open(settings) as kirjuri:
        results = bench_ingest(kirjuri, INGEST_EVENTS)
        plain = bench_plain_save(settings.eventsourcing_env())
        bulk = bench_raw_bulk(kirjuri)
        results |= {
            "plain_save_events_per_s": round(plain),
            "raw_bulk_rows_per_s": round(bulk),
            "ingest_vs_plain_save": round(results["ingest_events_per_s"] / plain, 2),
            "ingest_vs_raw_bulk": round(results["ingest_events_per_s"] / bulk, 3),
        }
        results |= bench_latency(kirjuri, settings)
        print(f"{name}: rebuild…", file=sys.stderr)
        results |= bench_rebuild(kirjuri)
    report_settings = _fresh(settings, "reports")
    size = 10 * REPORT_EVENTS if LARGE and name == "postgres" else REPORT_EVENTS
    print(f"{name}: reports at {size} events…", file=sys.stderr)
    with _open(report_settings) as kirjuri:
        results |= bench_reports(kirjuri, size)
    return results


def _fresh(settings: Settings, label: str) -> Settings:
    keys = _keys()
    if settings.database_url is None:
        return Settings(
            sqlite_path=settings.sqlite_path.with_name(f"{label}.db"), **keys
        )
    base = settings.database_url.partition("?")[0]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {label}")
    return Settings(database_url=f"{base}?schema={label}", **keys)


def write_markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {results['date']} on {results['machine']} by `make bench`",
        f"(Python {results['python']}, eventsourcing {results['eventsourcing']},",
        f"PostgreSQL {results['postgres_version']}). Every figure sits beside a",
        "baseline measured in the same run on the same rows.",
        "",
        "| figure | SQLite | PostgreSQL |",
        "|---|---|---|",
    ]
    for section in ("sqlite", "postgres"):
        results.setdefault(section, {})
    for key in results["sqlite"]:
        lines.append(
            f"| {key} | {results['sqlite'][key]} | {results['postgres'].get(key)} |"
        )
    for title, part in (("Integrity", "integrity"), ("Peak memory", "memory")):
        lines += [
            "",
            f"## {title}",
            "",
            "| figure | SQLite | PostgreSQL |",
            "|---|---|---|",
        ]
        other = results[part]["postgres"]
        for key, value in results[part]["sqlite"].items():
            lines.append(f"| {key} | {value} | {other.get(key, '–')} |")
    for kept in sorted((ROOT / "bench" / "results").glob("integrity-1m-*.json")):
        earlier = json.loads(kept.read_text())
        lines += [
            "",
            f"## Integrity at 1 M events ({earlier['date']}, `python -m "
            "bench.integrity 1000000`)",
            "",
            "| figure | SQLite | PostgreSQL |",
            "|---|---|---|",
        ]
        for key, value in earlier["sqlite"].items():
            lines.append(f"| {key} | {value} | {earlier['postgres'].get(key)} |")
    return "\n".join(lines) + "\n"


def _save(results: dict[str, Any]) -> None:
    """Write what is measured so far: a long run that fails keeps its figures."""
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{results['date']}.json").write_text(json.dumps(results, indent=2) + "\n")


def main() -> None:
    configure_logging("warning")
    import eventsourcing  # noqa: PLC0415 - only for its version

    results: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "eventsourcing": getattr(eventsourcing, "__version__", "9.5"),
        "scale": "large" if LARGE else "default",
    }
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = run_backend(
            "sqlite", Settings(sqlite_path=Path(folder) / "bench.db", **_keys())
        )
    _save(results)
    with postgres_server() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA bench")
            results["postgres_version"] = conn.execute(
                "SHOW server_version"
            ).fetchone()[0]  # type: ignore[index]
        results["postgres"] = run_backend(
            "postgres", Settings(database_url=f"{url}?schema=bench", **_keys())
        )
    _save(results)
    results["integrity"] = integrity.run(1_000_000 if LARGE else 100_000)
    _save(results)
    results["memory"] = memory.run()
    _save(results)
    markdown = write_markdown(results)
    (ROOT / "BENCHMARKS.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
