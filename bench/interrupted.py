"""Kill -9 a feed mid-run, run it again, compare with a clean run.

    python -m bench.interrupted 100000 --runs 5 [--postgres URL]

Each run: `kirjuri apply` of a generated feed (bench.generate) as a child
process, killed with SIGKILL at a random moment (after a random number of
its batches were logged as saved), then the same feed applied again to the
end. The ledger must then hold exactly the events of a clean run of the same
feed (the same stored names per subject, in the same order, ids and times
aside), `verify` must pass, and the read models must equal a rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.bootstrap import Settings
from commands.feed import apply_feed
from commands.service import Kirjuri
from ledger import events as ev

if TYPE_CHECKING:
    from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"

__all__ = ["apply_process", "init", "kill_after", "read_models", "story", "verified"]


def init(settings: Settings) -> None:
    with Kirjuri.open(settings, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))


def environment(settings: Settings) -> dict[str, str]:
    url = settings.database_url or f"sqlite:{settings.sqlite_path}"
    return {
        **os.environ,
        "KIRJURI_DATABASE_URL": url,
        "KIRJURI_MASTER_KEY": settings.master_key or "",
        "KIRJURI_SIGNING_KEY": settings.signing_key or "",
        "KIRJURI_LOG_LEVEL": "info",
    }


def apply_process(
    settings: Settings, feed: Path, batch_size: int
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commands.cli",
            "apply",
            str(feed),
            "--batch-size",
            str(batch_size),
        ],
        env=environment(settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_after(process: subprocess.Popen[bytes], batches: int) -> int:
    """SIGKILL the feed once it logged this many saved batches (or it ended);
    how many it had logged."""
    assert process.stderr is not None
    seen = 0
    while seen < batches:
        line = process.stderr.readline()
        if not line:
            break
        seen += b'"batch recorded"' in line
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    return seen


def story(kirjuri: Kirjuri) -> list[tuple[Any, ...]]:
    """The ledger's events in log order: subjects numbered by first
    appearance, receipts by their key; ids and times left out."""
    numbers: dict[UUID, int] = {}
    told: list[tuple[Any, ...]] = []
    after: int | None = None
    while batch := kirjuri.ledger.notifications(after, 5_000):
        for notification in batch:
            event = kirjuri.ledger.to_event(notification)
            if isinstance(event, ev.CommandReceived):
                told.append(("receipt", event.command_id, event.command))
            elif isinstance(event, ev.RequestIdClaimed):
                told.append(("request", event.request_id))
            else:
                who = numbers.setdefault(notification.originator_id, len(numbers))
                told.append((who, notification.originator_version, notification.topic))
        after = batch[-1].id
    return told


def verified(kirjuri: Kirjuri) -> bool:
    kirjuri.checkpoint()
    return kirjuri.verify().ok


def read_models(kirjuri: Kirjuri) -> list[list[tuple[str, ...]]]:
    """Every read model's rows, sorted, to compare before and after a rebuild."""
    tables = [name for model in kirjuri.projector.models for name in model.tables]
    found = []
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {{p}}{table}")
            found.append(
                sorted(tuple(map(str, dict(r).values())) for r in cursor.fetchall())
            )
    return found


def _settings(postgres: str | None, folder: Path) -> Settings:
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    if postgres is None:
        return Settings(sqlite_path=folder / f"{uuid.uuid4().hex}.db", **keys)
    import psycopg  # noqa: PLC0415 - only for the PostgreSQL runs

    schema = f"b_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(database_url=f"{postgres}?schema={schema}", **keys)


def main(argv: list[str] | None = None) -> None:
    from bench.generate import generate  # noqa: PLC0415 - heavy, only here

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("events", type=int)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--postgres", help="server URL (default: SQLite)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        feed = folder / "feed.jsonl"
        with feed.open("w", encoding="utf-8") as handle:
            for command in generate(args.events, seed=args.seed):
                handle.write(json.dumps(command, ensure_ascii=False) + "\n")
        lines = sum(1 for _ in feed.open("rb"))
        clean = _settings(args.postgres, folder)
        init(clean)
        started = time.perf_counter()
        with Kirjuri.open(clean) as kirjuri, feed.open("rb") as source:
            apply_feed(kirjuri, source, batch_size=args.batch_size)
            expected = story(kirjuri)
        clean_seconds = time.perf_counter() - started
        batches = -(-lines // args.batch_size)
        results = []
        for run in range(args.runs):
            target = _settings(args.postgres, folder)
            init(target)
            kill_at = rng.randint(1, max(batches - 1, 1))
            seen = kill_after(apply_process(target, feed, args.batch_size), kill_at)
            started = time.perf_counter()
            rerun = apply_process(target, feed, args.batch_size)
            _, err = rerun.communicate()
            seconds = time.perf_counter() - started
            with Kirjuri.open(target) as kirjuri:
                same = story(kirjuri) == expected
                ok = verified(kirjuri)
                before = read_models(kirjuri)
                kirjuri.projector.rebuild()
                rebuilt = read_models(kirjuri) == before
                events = kirjuri.ledger.head()
            summary = err.decode().strip().splitlines()[-1] if err else ""
            results.append(
                {
                    "run": run + 1,
                    "killed_after_batches": seen,
                    "rerun_exit": rerun.returncode,
                    "rerun_seconds": round(seconds, 1),
                    "events": events,
                    "same_as_clean": same,
                    "verify": ok,
                    "read_models_equal_rebuild": rebuilt,
                    "last_log": summary[:120],
                }
            )
            print(json.dumps(results[-1]), flush=True)
        print(
            json.dumps(
                {
                    "backend": "postgres" if args.postgres else "sqlite",
                    "lines": lines,
                    "clean_events": len(expected),
                    "clean_seconds": round(clean_seconds, 1),
                    "all_same": all(r["same_as_clean"] for r in results),
                    "all_verify": all(r["verify"] for r in results),
                    "all_rebuild_equal": all(
                        r["read_models_equal_rebuild"] for r in results
                    ),
                }
            )
        )


if __name__ == "__main__":
    main()
