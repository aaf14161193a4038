"""``make bench``: Kirjuri's hot paths beside baselines measured in the same run.

On SQLite and on a PostgreSQL this run starts itself, on the same rows:

- bulk ingest through the command path (a JSON-lines feed as ``kirjuri
  apply`` reads it: parsing, validation, policy, encryption, a receipt per
  command, read models and Merkle log), stored rows/s, beside three
  baselines on the same number of rows: the eventsourcing library's batched
  ``Application.save(*aggregates)`` with as many events per call as our
  ingest stored per append (the peer at its best), its ``save`` of one event
  per call (the single-append peer), and a raw bulk insert of our own stored
  rows into a table of the same shape (PostgreSQL COPY, SQLite executemany);
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

import dataclasses
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
from commands.feed import apply_feed
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
# BENCH_QUICK=1: ingest, baselines, latency and rebuild only; BENCHMARKS.md
# keeps the report, integrity and memory figures of the last full run.
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPORTS = not QUICK
PLAIN_SAVES = 3_000
# Aggregates the batched peer keeps appending to (its "subjects").
PLAIN_AGGREGATES = 2_000
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
    """A generated feed through ``kirjuri apply``'s path; every line gets a
    command id (its digest) and so a receipt, as a real feed's does."""
    lines = (json.dumps(c, separators=(",", ":")) for c in generate(events))
    appends = 0
    append = kirjuri.ledger.append

    def counted(pending: Any) -> list[int]:
        nonlocal appends
        appends += 1
        return append(pending)

    kirjuri.ledger.append = counted  # type: ignore[method-assign]
    head = kirjuri.ledger.head()
    started = time.perf_counter()
    report = apply_feed(kirjuri, lines)
    seconds = time.perf_counter() - started
    del kirjuri.ledger.append
    rows = kirjuri.ledger.head() - head
    receipts = report.recorded  # one per recorded line
    return {
        "ingest_rows": rows,
        "ingest_events": rows - receipts,
        "ingest_receipts": receipts,
        "ingest_rows_per_s": round(rows / seconds),
        "ingest_events_per_s": round((rows - receipts) / seconds),
        "ingest_commands_rejected": len(report.rejected),
        "ingest_rows_per_append": round(rows / max(appends, 1)),
    }


def _plain_env(env: dict[str, str], label: str) -> dict[str, str]:
    """The peer's own file or schema, beside the ledger's."""
    env = dict(env)
    if "SQLITE_DBNAME" in env:
        env["SQLITE_DBNAME"] += f".{label}"
    else:
        schema = f"{env['POSTGRES_SCHEMA']}_{label}"
        with psycopg.connect(_pg_url(env), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        env["POSTGRES_SCHEMA"] = schema
    return env


def bench_plain_save(env: dict[str, str]) -> float:
    """The library's own save, one event per save (the single-append peer)."""
    app: Application[Any] = Application(env=_plain_env(env, "plain"))
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


def bench_batched_save(env: dict[str, str], rows: int, per_save: int) -> float:
    """The library at its best: ``save(*aggregates)`` of ``per_save`` events a
    call, first making PLAIN_AGGREGATES aggregates, then appending one event
    to each of the next ``per_save`` in turn (a subject's next version, as
    most of our ingest's events are), until ``rows`` events are stored."""
    app: Application[Any] = Application(env=_plain_env(env, "batched"))
    text = "x" * 300
    started = time.perf_counter()
    pool: list[Plain] = []
    stored = 0
    turn = 0
    while stored < rows:
        size = min(per_save, rows - stored)
        if len(pool) < PLAIN_AGGREGATES:
            batch = [Plain() for _ in range(min(size, PLAIN_AGGREGATES - len(pool)))]
            pool.extend(batch)
        else:
            batch = [pool[(turn + i) % len(pool)] for i in range(size)]
            turn += size
            for aggregate in batch:
                aggregate.note(text)
        app.save(*batch)
        stored += len(batch)
    seconds = time.perf_counter() - started
    app.close()
    return stored / seconds


def _pg_url(env: dict[str, str]) -> str:
    return (
        f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:"
        f"{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
    )


def bench_raw_bulk(kirjuri: Kirjuri) -> float:
    """The ledger's own stored rows inserted again in one bulk statement into
    a table shaped like the library's events table (same columns, same
    primary key; PostgreSQL's serial notification id and its index too)."""
    rows = [
        (str(n.originator_id), n.originator_version, n.topic, n.state)
        for n in kirjuri.ledger.notifications(None, 10**9)
    ]
    database = kirjuri.ledger.database
    postgres = database.backend == "postgres"
    serial = ", notification_id BIGSERIAL" if postgres else ""
    started = time.perf_counter()
    with database.transaction() as cursor:
        cursor.execute(
            "CREATE TABLE {p}bench_copy (originator_id TEXT NOT NULL,"
            " originator_version INTEGER NOT NULL, topic TEXT, state {blob}"
            f"{serial}, PRIMARY KEY (originator_id, originator_version))"
        )
        if postgres:
            cursor.execute(
                "CREATE UNIQUE INDEX bench_copy_notification"
                " ON {p}bench_copy (notification_id)"
            )
            with cursor.raw.copy(
                database.sql(
                    "COPY {p}bench_copy (originator_id, originator_version,"
                    " topic, state) FROM STDIN"
                )
            ) as copy:
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


def _appends(kirjuri: Kirjuri, subject: str, label: str) -> list[float]:
    """Milliseconds of each of SAMPLES single-command ``execute`` calls."""
    timings = []
    for i in range(SAMPLES):
        command = parse_command(
            {
                "kind": "disclose",
                "subject": subject,
                "recipient": "delivery_partner",
                "categories": ["name"],
                "purpose": "order_delivery",
                "reference": f"{label}{i}",
            }
        )
        started = time.perf_counter()
        kirjuri.execute(command)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def bench_latency(kirjuri: Kirjuri, settings: Settings) -> dict[str, Any]:
    """One command's append, as the CLI makes it (read models applied before
    it returns) and as ``kirjuri serve`` with a follower makes it (returns
    once saved), against one raw commit."""
    subject = str(kirjuri.ledger.notifications(1, 1)[0].originator_id)
    ours = _appends(kirjuri, subject, "L")
    with (
        Kirjuri.open(dataclasses.replace(settings, follower=True)) as served,
        served.writes_followed() as running,
    ):
        assert running, "no follower started (one core?)"
        time.sleep(1.0)  # the follower process imports and opens the ledger
        followed = _appends(served, subject, "F")
    raw = _raw_commits(settings)
    return {
        "append_p50_ms": _p(ours, 50),
        "append_p99_ms": _p(ours, 99),
        "append_followed_p50_ms": _p(followed, 50),
        "append_followed_p99_ms": _p(followed, 99),
        "raw_commit_p50_ms": _p(raw, 50),
        "raw_commit_p99_ms": _p(raw, 99),
        "append_followed_vs_raw_commit": round(_p(followed, 50) / _p(raw, 50), 2),
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
    return report_latencies(kirjuri, _subject_with(kirjuri, 200))


def report_latencies(kirjuri: Kirjuri, focus: Any) -> dict[str, Any]:
    """Access reports of SAMPLES random subjects and, in turn, of ``focus``;
    twenty reads of a recipient's history over 2025."""
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
    rows: list[Any] = []
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
        "history_recipient_year_p99_ms": _p(history_ms, 99),
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
        env = settings.eventsourcing_env()
        rows, per_save = results["ingest_rows"], results["ingest_rows_per_append"]
        batched = bench_batched_save(env, rows, per_save)
        plain = bench_plain_save(env)
        bulk = bench_raw_bulk(kirjuri)
        ours = results["ingest_rows_per_s"]
        results |= {
            "batched_save_rows_per_s": round(batched),
            "plain_save_events_per_s": round(plain),
            "raw_bulk_rows_per_s": round(bulk),
            "ingest_vs_batched_save": round(ours / batched, 3),
            "ingest_vs_plain_save": round(ours / plain, 2),
            "ingest_vs_raw_bulk": round(ours / bulk, 4),
        }
        results |= bench_latency(kirjuri, settings)
        print(f"{name}: rebuild…", file=sys.stderr)
        results |= bench_rebuild(kirjuri)
    if not REPORTS:
        return results
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


BASELINES = """\
What each baseline does (all on the same machine, in the same run, on the
same number of stored rows as our ingest wrote):

- **ingest** (ours): a generated JSON-lines feed through `kirjuri apply`'s
  path, `commands.feed.apply_feed`: each line parsed and validated, given a
  command id (its digest) and so a receipt event, judged against the
  policy, its personal values sealed, saved 500 commands per append, with
  the eight read models and the Merkle log caught up after every batch.
  `ingest_rows` counts every stored row (subject events and receipts);
  `ingest_events` the subject events alone.
- **batched save** (the library at its best): eventsourcing's
  `Application.save(*aggregates)`, one call per `ingest_rows_per_append`
  events (what our ingest stored per append), 2,000 aggregates made first
  and then each given its next event in turn; events of about 300 bytes, no
  validation, no encryption, no read models.
- **plain save** (the single-append peer): `Application.save(aggregate)` of
  one event per call, 3,000 calls.
- **raw bulk**: our own stored rows read back and inserted again in one
  transaction into a table of the events table's shape (same columns and
  primary key; on PostgreSQL also its serial notification id and unique
  index): `COPY … FROM STDIN` on PostgreSQL, one `executemany` on SQLite.
  No library, no Python per row beyond the driver: the floor of the storage.
- **raw commit**: one single-row `INSERT` and `COMMIT` on a connection of
  its own, beside one command's `execute`: as the CLI runs it (its append
  and the read models applied before it returns, `append_*`) and as
  `kirjuri serve` runs it with `KIRJURI_FOLLOWER=yes` (it returns once
  saved; a follower process applies the read models and every read catches
  up first, `append_followed_*`). The test server runs with `fsync=off`, so
  the raw commit is a round trip, not a disk flush.
- **raw read**: the library's `select_notifications` in pages of 10,000
  over the whole log, beside a rebuild of every read model.
"""

# Sections of BENCHMARKS.md that `make bench` writes; any other ``## ``
# section (written by hand or by another bench) is kept as it is.
GENERATED = ("Baselines", "Integrity", "Peak memory", "Integrity at 1 M events")


def write_markdown(results: dict[str, Any], kept: str = "") -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {results['date']} on {results['machine']} by `make bench`",
        f"(Python {results['python']}, eventsourcing {results['eventsourcing']},",
        f"PostgreSQL {results['postgres_version']}). Every figure sits beside a",
        "baseline measured in the same run on the same rows.",
        *(
            []
            if "integrity" in results
            else [
                "This was a quick run (`BENCH_QUICK=1`): access reports,"
                " integrity and peak memory are the last full run's, under"
                " their own headings with its date.",
            ]
        ),
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
    lines += ["", "## Baselines", "", BASELINES.rstrip()]
    for title, part in (("Integrity", "integrity"), ("Peak memory", "memory")):
        if part not in results:
            continue  # a quick run: the last full run's section is kept
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
    if "report_ledger_events" not in results["sqlite"]:
        lines += _last_full_reports()
    for earlier_file in sorted(
        (ROOT / "bench" / "results").glob("integrity-1m-*.json")
    ):
        earlier = json.loads(earlier_file.read_text())
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
    written = tuple(
        title
        for title in GENERATED
        if title not in ("Integrity", "Peak memory") or "integrity" in results
    )
    return "\n".join(lines) + "\n" + kept_sections(kept, written)


def _last_full_reports() -> list[str]:
    """The access-report figures of the newest full run (a quick run has none)."""
    for found in sorted((ROOT / "bench" / "results").glob("20*.json"), reverse=True):
        earlier = json.loads(found.read_text())
        sqlite_part = earlier.get("sqlite", {})
        if "report_ledger_events" not in sqlite_part:
            continue
        lines = [
            "",
            f"## Access reports ({earlier['date']}, the last full `make bench`)",
            "",
            "| figure | SQLite | PostgreSQL |",
            "|---|---|---|",
        ]
        for key, value in sqlite_part.items():
            if key.startswith(("report_", "history_")):
                other = earlier.get("postgres", {}).get(key)
                lines.append(f"| {key} | {value} | {other} |")
        return lines
    return []


def kept_sections(text: str, written: tuple[str, ...] = GENERATED) -> str:
    """The ``## `` sections of an existing BENCHMARKS.md that this run does
    not write, in their order, each as it was."""
    kept: list[str] = []
    keep = False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = not line[3:].startswith((*written, "Access reports"))
        if keep:
            kept.append(line)
    return "\n" + "\n".join(kept) + "\n" if kept else ""


def _save(results: dict[str, Any]) -> None:
    """Write what is measured so far: a long run that fails keeps its figures."""
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = results["date"] + ("-quick" if QUICK else "")
    (out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")


def main() -> None:
    configure_logging("warning")
    import eventsourcing  # noqa: PLC0415 - only for its version

    results: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "eventsourcing": getattr(eventsourcing, "__version__", "9.5"),
        "scale": "large" if LARGE else "default",
        "ingest_target_events": INGEST_EVENTS,
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
    if not QUICK:
        results["integrity"] = integrity.run(1_000_000 if LARGE else 100_000)
        _save(results)
        results["memory"] = memory.run()
        _save(results)
    target = ROOT / "BENCHMARKS.md"
    existing = target.read_text() if target.exists() else ""
    markdown = write_markdown(results, existing)
    target.write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
