"""A big import through the command path, and how its rate and memory hold.

    python -m bench.import_scale [EVENTS] [--postgres] [--follower]

Generates EVENTS events' worth of commands (default 1 M with
BENCH_SCALE=large, else 100 k) as a JSON-lines feed and applies it as
``kirjuri apply`` does (a receipt per line, read models and Merkle log
caught up after every batch), on SQLite (or a PostgreSQL it starts).
Between batches it notes the stored rows, the time (wall clock, and this
process's CPU time: on a machine shared with other jobs the wall clock says
more about them than about the import) and the process's peak memory, and
reports:

- the rate (stored rows/s, receipts included) over the first 40 k events,
  and over the last 10 % of the run, per wall-clock second and per CPU
  second: a long import must not slow down (its states come back from
  snapshots, not from their whole history);
- the peak memory at 100 k events and at the end.

Results go to bench/results/import-<events>-<date>.json.

``BENCH_PROFILE=80000,500000`` profiles (CPU time) a slice of
``BENCH_PROFILE_SLICE`` stored rows (20 000) from each of those row counts
into ``BENCH_PROFILE_DIR`` (profile-<rows>.prof): the same slice early and
late shows which per-call costs grow with the ledger. Keep the slices out of
the first 40 k events and the last 10 %, whose rates are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import resource
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from bench.generate import generate
from bench.memory import peak_rss_mb
from commands.bootstrap import Settings
from commands.feed import apply_feed
from commands.logs import configure_logging
from commands.service import Kirjuri
from tests.pgserver import postgres_server

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"
EARLY = 40_000  # the rate a small import has
MEMORY_AT = 100_000  # the peak memory a mid-sized import has


class Samples:
    """Progress of the run: (events asked so far, stored rows, s, peak MB)."""

    def __init__(self, kirjuri: Kirjuri) -> None:
        self.kirjuri = kirjuri
        marks = os.environ.get("BENCH_PROFILE", "")
        self.marks = sorted(int(m) for m in marks.split(",") if m.strip())
        self.slice = int(os.environ.get("BENCH_PROFILE_SLICE", "20000"))
        self.folder = Path(os.environ.get("BENCH_PROFILE_DIR", "."))
        self.profile: tuple[cProfile.Profile, int] | None = None
        self.rows: list[tuple[int, float, float]] = []
        self.cpu: list[float] = []
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self._next_print = 0.0

    def start(self, total: int) -> None:
        pass

    def _profile(self, rows: int) -> None:
        """Start or stop a slice's profile (CPU time) at these stored rows."""
        if self.profile is not None and rows >= self.profile[1] + self.slice:
            profile, start = self.profile
            profile.disable()
            profile.dump_stats(str(self.folder / f"profile-{start}.prof"))
            self.profile = None
        elif self.profile is None and self.marks and rows >= self.marks[0]:
            self.marks.pop(0)
            profile = cProfile.Profile(time.process_time)
            self.profile = (profile, rows)
            profile.enable()

    def advance(self, done: int) -> None:
        rows = self.kirjuri.ledger.head()
        self._profile(rows)
        seconds = time.perf_counter() - self.started
        self.rows.append((rows, seconds, peak_rss_mb()))
        self.cpu.append(time.process_time() - self.cpu_started)
        if seconds >= self._next_print:
            print(
                f"{rows} rows in {seconds:.0f} s ({self.cpu[-1]:.0f} s CPU,"
                f" peak {self.rows[-1][2]:.0f} MB)",
                file=sys.stderr,
                flush=True,
            )
            self._next_print = seconds + 30

    def finish(self) -> None:
        pass


def _rate(samples: list[tuple[int, float, float]], low: int, high: int) -> float:
    """Rows/s between the first samples at or past ``low`` and ``high``."""
    first = next((s for s in samples if s[0] >= low), samples[0])
    last = next((s for s in samples if s[0] >= high), samples[-1])
    if last[0] == first[0]:
        return 0.0
    return (last[0] - first[0]) / (last[1] - first[1])


@contextlib.contextmanager
def scratch_settings(
    postgres: bool, *, follower: bool = False, label: str = "import"
) -> Iterator[Settings]:
    """A fresh ledger's settings for a bench, in a temporary folder or on a
    PostgreSQL server this starts (schema ``label``); removed afterwards."""
    keys: dict[str, Any] = {
        "master_key": secrets.token_hex(32),
        "signing_key": secrets.token_hex(32),
        "follower": follower,
    }
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield Settings(sqlite_path=Path(folder) / f"{label}.db", **keys)
        return
    with postgres_server() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {label}")
        yield Settings(database_url=f"{url}?schema={label}", **keys)


def run(
    events: int, *, postgres: bool = False, follower: bool = True
) -> dict[str, Any]:
    with (
        scratch_settings(postgres, follower=follower) as settings,
        Kirjuri.open(settings, create=True) as k,
    ):
        k.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        samples = Samples(k)
        lines = (json.dumps(c, separators=(",", ":")) for c in generate(events))
        report = apply_feed(k, lines, progress=samples)
        samples.advance(0)
        rows, seconds, peak = samples.rows[-1]
    # The generator's events are subject events; rows add a receipt a line.
    scale = rows / max(events, 1)
    points = samples.rows
    early = _rate(points, 0, int(EARLY * scale))
    late = _rate(points, int(rows * 0.9), rows)
    cpu = [(r, c, m) for (r, _, m), c in zip(points, samples.cpu, strict=True)]
    early_cpu = _rate(cpu, 0, int(EARLY * scale))
    late_cpu = _rate(cpu, int(rows * 0.9), rows)
    memory_at = next((s[2] for s in points if s[0] >= MEMORY_AT * scale), peak)
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "backend": "postgres" if postgres else "sqlite",
        "events_asked": events,
        "rows": rows,
        "recorded_commands": report.recorded,
        "rejected_commands": len(report.rejected),
        "seconds": round(seconds),
        "rows_per_s_overall": round(rows / seconds),
        "rows_per_s_first_40k_events": round(early),
        "rows_per_s_last_10_percent": round(late),
        "late_vs_early_rate": round(late / early, 3) if early else None,
        "cpu_seconds": round(samples.cpu[-1]),
        "rows_per_cpu_s_first_40k_events": round(early_cpu),
        "rows_per_cpu_s_last_10_percent": round(late_cpu),
        "late_vs_early_rate_per_cpu_s": (
            round(late_cpu / early_cpu, 3) if early_cpu else None
        ),
        "peak_rss_mb_at_100k_events": round(memory_at),
        "peak_rss_mb_at_end": round(peak),
        "memory_end_vs_100k": round(peak / memory_at, 3),
        "failure": None if report.failure is None else str(report.failure),
        # A follower process applies read models beside the run: its CPU
        # time is not in the run's figures per CPU second above.
        "follower": follower,
        "events_applied_by_follower": report.followed,
        "follower_cpu_seconds": round(_children_cpu()),
    }


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the follower)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_scale")
    large = os.environ.get("BENCH_SCALE") == "large"
    parser.add_argument("events", nargs="?", type=int)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--follower", action="store_true", help="read models in a second process"
    )
    args = parser.parse_args()
    events = args.events or (1_000_000 if large else 100_000)
    configure_logging("warning")
    result = run(events, postgres=args.postgres, follower=args.follower)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    followed = "-follower" if result["follower"] else ""
    name = f"import-{events}-{result['backend']}{followed}-{result['date']}.json"
    (out / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
