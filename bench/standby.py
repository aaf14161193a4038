"""Access reports on a hot standby versus the primary, idle and while
another process ingests into the primary.

    python -m bench.standby [EVENTS [INGEST]]   (default 20 000 and 30 000)

Starts a primary and a standby fed by streaming replication (both on this
machine), fills the ledger through the batched command path, then times
access reports through the facade (catch-up, checkpoint and all) on a
ledger reading the primary and on one reading the standby. Writes
bench/results/standby-<date>.json and prints it.
"""

from __future__ import annotations

import json
import multiprocessing
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

import psycopg

from bench.generate import generate
from commands.bootstrap import Settings
from commands.logs import configure_logging
from commands.models import parse_command
from commands.service import Kirjuri
from tests.pgserver import replicated_servers

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"
RESULTS = Path(__file__).resolve().parent / "results"
SAMPLES = 60  # reports per measurement and ledger
# The concurrent writer's feed: the busy phase lasts while it runs.
INGEST_EVENTS = 30_000


def _p(values: list[float], percent: int) -> float:
    return round(quantiles(values, n=100)[percent - 1], 1)


def _fill(settings: Settings, events: int, seed: int, out: Any = None) -> None:
    """Generated commands through execute_many (the path of a feed)."""
    configure_logging("warning")
    with Kirjuri.open(settings) as kirjuri:
        commands = ((i, parse_command(c)) for i, c in enumerate(generate(events, seed)))
        started = time.perf_counter()
        before = kirjuri.ledger.head()
        kirjuri.execute_many(commands)
        if out is not None:
            out.put((kirjuri.ledger.head() - before, time.perf_counter() - started))


def _subjects(kirjuri: Kirjuri, count: int) -> list[str]:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute("SELECT subject_id FROM {p}kirjuri_subjects ORDER BY 1")
        ids = [str(row["subject_id"]) for row in cursor.fetchall()]
    return ids[:: max(1, len(ids) // count)][:count]


def _report_ms(kirjuri: Kirjuri, subject: str) -> float:
    started = time.perf_counter()
    kirjuri.access_report(subject)
    return (time.perf_counter() - started) * 1000


def _measure(
    ledgers: dict[str, Kirjuri], subjects: list[str], busy: Any = None
) -> dict[str, list[float]]:
    """Reports taken in turn on each ledger (so both see the same load);
    while ``busy`` (a writer process) lives, until it ends."""
    taken: dict[str, list[float]] = {name: [] for name in ledgers}
    turn = 0
    while True:
        subject = subjects[turn % len(subjects)]
        for name, kirjuri in ledgers.items():
            taken[name].append(_report_ms(kirjuri, subject))
        turn += 1
        if busy is None and turn >= SAMPLES:
            return taken
        if busy is not None and not busy.is_alive():
            return taken


def _summary(taken: dict[str, list[float]], phase: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, values in taken.items():
        found[f"{phase}_{name}_reports"] = len(values)
        found[f"{phase}_{name}_p50_ms"] = _p(values, 50)
        found[f"{phase}_{name}_p99_ms"] = _p(values, 99)
    return found


def run(events: int, ingest: int = INGEST_EVENTS) -> dict[str, Any]:
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    with replicated_servers() as (primary, standby):
        schema = f"b_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(primary, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        on_primary = Settings(database_url=f"{primary}?schema={schema}", **keys)
        on_standby = Settings(
            database_url=on_primary.database_url,
            read_database_url=f"{standby}?schema={schema}",
            **keys,
        )
        with Kirjuri.open(on_primary, create=True) as kirjuri:
            kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        started = time.perf_counter()
        _fill(on_primary, events, seed=1)
        fill_seconds = time.perf_counter() - started
        with Kirjuri.open(on_primary) as first, Kirjuri.open(on_standby) as second:
            ledgers = {"primary": first, "standby": second}
            subjects = _subjects(first, SAMPLES)
            _measure(ledgers, subjects[:5])  # warm both pools and caches
            idle = _measure(ledgers, subjects)
            queue: Any = multiprocessing.Queue()
            writer = multiprocessing.Process(
                target=_fill, args=(on_primary, ingest, 2, queue)
            )
            writer.start()
            busy = _measure(ledgers, subjects, busy=writer)
            writer.join()
            rows, seconds = queue.get()
            stats = second.standby_stats()
            assert stats is not None
            return {
                "date": datetime.now(UTC).date().isoformat(),
                "machine": "2 cores, primary and standby on the same machine",
                "ledger_rows": first.ledger.head(),
                "fill_rows_per_s": round(events / fill_seconds),
                **_summary(idle, "idle"),
                "ingest_rows_per_s_while_reading": round(rows / seconds),
                **_summary(busy, "ingesting"),
                "standby_reads": stats.reads,
                "standby_fallbacks": dict(stats.fallbacks),
                "standby_wait_seconds": round(stats.wait_seconds, 3),
            }


def main() -> None:
    configure_logging("warning")
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    ingest = int(sys.argv[2]) if len(sys.argv) > 2 else INGEST_EVENTS
    results = run(events, ingest)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"standby-{results['date']}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
