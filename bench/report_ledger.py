"""The report ledger at scale (issue 13, item 6): ``python -m bench.report_ledger
10000000`` on a PostgreSQL it starts (``--sqlite`` for SQLite).

Fills a ledger with N stored events (copies of real events under new
streams, bench.integrity.fill), rebuilds every read model from the log,
adds a subject of 200 events through the command path, then measures:
access report p50/p99 for random subjects and for that subject, a
recipient's history over a year, verify beside the raw notification read,
and peak memory after each phase. Progress goes to stderr every 30 s; the
figures to bench/results/reports-<N>-<backend>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.__main__ import _subject_with, report_latencies
from bench.import_scale import peak_rss_mb, scratch_settings
from bench.integrity import fill
from commands.logs import configure_logging
from commands.service import Kirjuri
from ledger.verification import verify_ledger

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"
SAMPLES = 200


class _Every30s:
    """Progress as a line every 30 s (the run's stderr is a log file)."""

    def __init__(self, label: str) -> None:
        self.label, self.total = label, 0
        self.started = time.perf_counter()
        self._next = 30.0

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, done: int) -> None:
        seconds = time.perf_counter() - self.started
        if seconds >= self._next:
            rate = done / seconds
            left = (self.total - done) / rate if rate and self.total else 0
            _say(
                f"{self.label}: {done}/{self.total} ({rate:,.0f}/s, ~{left:.0f} s left)"
            )
            self._next = seconds + 30

    def finish(self) -> None:
        pass


def _say(text: str) -> None:
    print(f"{datetime.now(UTC):%H:%M:%S} {text}", file=sys.stderr, flush=True)


def _timed(figures: dict[str, Any], name: str, events: int, work: Any) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    work()
    seconds = time.perf_counter() - started
    figures[f"{name}_seconds"] = round(seconds, 1)
    figures[f"{name}_events_per_s"] = round(events / seconds)
    figures[f"{name}_events_per_cpu_s"] = round(events / (time.process_time() - cpu))
    figures[f"peak_rss_mb_after_{name}"] = round(peak_rss_mb())
    _say(f"{name}: {seconds:.0f} s, peak {peak_rss_mb():.0f} MB")


def measure(kirjuri: Kirjuri, count: int, figures: dict[str, Any]) -> None:
    """Each phase's figures into ``figures`` as it ends (kept if a later
    phase fails)."""

    _timed(figures, "fill", count, lambda: fill(kirjuri, count, _Every30s("fill")))
    head = kirjuri.ledger.head()

    def raw_read() -> None:
        after = None
        while batch := kirjuri.ledger.notifications(after, 10_000):
            after = batch[-1].id

    _timed(figures, "raw_read", head, raw_read)
    _timed(
        figures,
        "rebuild",
        head,
        lambda: kirjuri.projector.rebuild(_Every30s("rebuild")),
    )
    figures["rebuild_vs_raw_read"] = round(
        figures["rebuild_events_per_cpu_s"] / figures["raw_read_events_per_cpu_s"], 3
    )
    focus = _subject_with(kirjuri, 200)
    kirjuri.checkpoint()
    figures |= report_latencies(kirjuri, focus)
    _say(f"reports: {figures}")
    ledger = kirjuri.ledger
    checkpoints = [s.checkpoint for s in kirjuri.notary.all()]

    def verified() -> None:
        result = verify_ledger(
            ledger,
            kirjuri.merkle,
            checkpoints,
            kirjuri.signer().verifier,
            kirjuri.origin,
        )
        if not result.ok:
            raise SystemExit(f"verify failed: {result.problems[:3]}")

    _timed(figures, "verify", ledger.head(), verified)
    figures["verify_vs_raw_read"] = round(
        figures["verify_events_per_cpu_s"] / figures["raw_read_events_per_cpu_s"], 3
    )
    figures["peak_rss_mb"] = round(peak_rss_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, nargs="?", default=10_000_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite, not PostgreSQL")
    args = parser.parse_args()
    configure_logging("warning")
    backend = "sqlite" if args.sqlite else "postgres"
    figures: dict[str, Any] = {}
    try:
        with (
            scratch_settings(not args.sqlite, label="reports") as settings,
            Kirjuri.open(settings, create=True) as kirjuri,
        ):
            kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
            measure(kirjuri, args.events, figures)
    except Exception as err:  # what was measured is kept, and why it ended
        figures["failure"] = f"{type(err).__name__}: {err}"
        figures["peak_rss_mb"] = round(peak_rss_mb())
    date = f"{datetime.now(UTC):%Y-%m-%d}"
    result = {"date": date, "machine": "x86_64, 2 cores, 24 GiB", "backend": backend}
    result |= {"events": args.events} | figures
    suffix = ".partial.json" if "failure" in figures else ".json"
    out = ROOT / "bench" / "results" / f"reports-{args.events}-{backend}-{date}{suffix}"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
