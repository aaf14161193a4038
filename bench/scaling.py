"""Measurements behind docs/scaling.md, on a PostgreSQL this run starts.

1. Writers: the batched command path with one writer process, then with two
   at once on the same ledger (distinct subjects): does a second writer add
   throughput, or does the library's per-transaction table lock serialise it?
2. Growth: bytes per event of every table (events, read models, Merkle log,
   keys) at N events, to size a deployment.

``python -m bench.scaling [N]`` prints JSON (default N = 200 000).
"""

from __future__ import annotations

import json
import multiprocessing
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from bench import integrity
from bench.generate import generate
from commands.bootstrap import Settings
from commands.logs import configure_logging
from commands.models import parse_command
from commands.service import Kirjuri
from tests.pgserver import postgres_server

POLICY = Path(__file__).resolve().parent.parent / "policies" / "fluiconnecto.toml"
WRITER_EVENTS = 20_000


def _writer(url: str, keys: dict[str, str], seed: int, out: Any) -> None:
    configure_logging("warning")
    with Kirjuri.open(Settings(database_url=url, **keys)) as kirjuri:
        commands = (
            (i, parse_command(c)) for i, c in enumerate(generate(WRITER_EVENTS, seed))
        )
        started = time.perf_counter()
        before = kirjuri.ledger.head()
        kirjuri.execute_many(commands)
        out.put((kirjuri.ledger.head() - before, time.perf_counter() - started))


def writers(url: str, keys: dict[str, str], count: int) -> float:
    """Events per second of ``count`` writer processes together."""
    queue: Any = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_writer, args=(url, keys, 1000 + i, queue))
        for i in range(count)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    done = [queue.get() for _ in processes]
    return round(sum(events for events, _ in done) / seconds)


def sizes(url: str, schema: str, events: int) -> dict[str, float]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 2 DESC",
            (schema,),
        ).fetchall()
    return {name: round(size / events, 1) for name, size in rows}


def run(events: int) -> dict[str, Any]:
    configure_logging("warning")
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    results: dict[str, Any] = {}
    with postgres_server() as base:
        for schema in ("one", "two", "growth"):
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
        for schema, count in (("one", 1), ("two", 2)):
            url = f"{base}?schema={schema}"
            with Kirjuri.open(
                Settings(database_url=url, **keys), create=True
            ) as kirjuri:
                kirjuri.ledger.adopt_policy(
                    POLICY.read_text(encoding="utf-8"), "policy"
                )
            results[f"writers_{count}_events_per_s"] = writers(url, keys, count)
            print(f"scaling: {count} writers done", file=sys.stderr)
        url = f"{base}?schema=growth"
        with Kirjuri.open(Settings(database_url=url, **keys), create=True) as kirjuri:
            kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), "policy")
            integrity.fill(kirjuri, events)
            kirjuri.projector.rebuild()
            kirjuri.checkpoint()
            head = kirjuri.ledger.head()
        results["events"] = head
        results["bytes_per_event_by_table"] = sizes(base, "growth", head)
        results["bytes_per_event_total"] = round(
            sum(results["bytes_per_event_by_table"].values()), 1
        )
    return results


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    print(json.dumps(run(size), indent=2))
