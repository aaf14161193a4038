"""Integrity at scale: verify throughput, proof size and time, peak memory.

Fills a ledger with N stored events (copies of real events under new
streams, written with the library's recorder in bulk), builds the Merkle
log, signs a checkpoint, then measures beside the raw notification read of
the same log. ``python -m bench.integrity N`` (default BENCH_INTEGRITY_EVENTS
or 100 000); runs on SQLite and on a PostgreSQL it starts.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent

from commands.bootstrap import Settings
from commands.logs import configure_logging
from commands.models import parse_command
from commands.service import Kirjuri
from commands.usecases.integrity import build_evidence
from ledger.evidence import verify_evidence
from ledger.notary import stream_heads
from ledger.sealed import Sealed, seal_value
from ledger.verification import verify_ledger
from projections.merkle import MerkleModel
from projections.runner import Projector
from tests.pgserver import postgres_server

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"


def _templates(kirjuri: Kirjuri) -> list[Any]:
    """A realistic mix: registrations, disclosures, consents (sealed values)."""
    outcome = kirjuri.execute(
        parse_command(
            {
                "kind": "register",
                "company": "Malli Oy",
                "name": "Malli Henkilö",
                "email": "malli@malli.example",
                "phone": "+358 40 000 0000",
                "source": "event_attendee_list",
            }
        )
    )
    subject = str(outcome.subject_id)
    for command in (
        {
            "kind": "disclose",
            "recipient": "delivery_partner",
            "purpose": "order_delivery",
            "categories": ["name", "delivery_address"],
            "reference": "10023",
        },
        {"kind": "consent", "purpose": "partner_marketing", "channel": "web_form"},
        {
            "kind": "process",
            "purpose": "electronic_marketing",
            "activity": "newsletter_sent",
            "categories": ["name", "email"],
        },
    ):
        kirjuri.execute(parse_command({**command, "subject": subject}), catch_up=False)
    # The template subject's own stored events (not whatever the ledger holds).
    return list(kirjuri.ledger.recorder.select_events(uuid.UUID(subject)))


class _Copies:
    """Copies of the template subject under new streams, each with its own
    data key and its personal values sealed again under it (a sealed value
    is bound to its subject, so a bare copy would not open), and an email of
    its own, so the blind index and access reports treat every copy as the
    real subject it stands for."""

    def __init__(self, kirjuri: Kirjuri, templates: list[StoredEvent]) -> None:
        ledger = kirjuri.ledger
        self.master = ledger.keys.master
        source = templates[0].originator_id
        self.templates: list[tuple[str, dict[str, Any], list[tuple[str, str, str]]]]
        self.templates = []
        for template in templates:
            state = json.loads(template.state)
            values = []
            for field, value in state.items():
                if isinstance(value, dict) and value.keys() == {"key", "box"}:
                    category = state["category"] if field == "value" else "company"
                    plain = ledger.open(source, category, Sealed(**value))
                    values.append((field, category, plain))
            self.templates.append((template.topic, state, values))
        self.classes = sorted(
            {s[f]["key"] for _, s, values in self.templates for f, _, _ in values}
        )
        self.made = 0

    def make(self) -> tuple[list[StoredEvent], list[tuple[str, str, bytes, str, str]]]:
        """One more copy: its stored events and its data-key rows."""
        self.made += 1
        stream = uuid.uuid4()
        keys = {c: os.urandom(32) for c in self.classes}
        aeads = {c: AESGCM(key) for c, key in keys.items()}
        now, key_id = datetime.now(UTC).isoformat(), self.master.key_id
        rows = [
            (str(stream), c, self.master.wrap(key, stream, c), key_id, now)
            for c, key in keys.items()
        ]
        events = []
        for version, (topic, state, values) in enumerate(self.templates, 1):
            copy = dict(state)
            for field, category, plain in values:
                text = f"c{self.made}.{plain}" if category == "email" else plain
                retention = state[field]["key"]
                sealed = seal_value(aeads[retention], stream, retention, category, text)
                copy[field] = sealed.model_dump()
            state_bytes = json.dumps(copy, separators=(",", ":"), ensure_ascii=False)
            events.append(StoredEvent(stream, version, topic, state_bytes.encode()))
        return events, rows


def fill(kirjuri: Kirjuri, count: int, progress: Any = None) -> None:
    """Top the ledger up to ``count`` stored events with copies of a template
    subject (registration with name, email and phone; a disclosure; a
    consent; a processing), written with the library's recorder in bulk."""
    copies = _Copies(kirjuri, _templates(kirjuri))
    recorder, database = kirjuri.ledger.recorder, kirjuri.ledger.database
    written = kirjuri.ledger.head()
    if progress is not None:
        progress.start(count)
    while written < count:
        batch: list[StoredEvent] = []
        keys = []
        while len(batch) < 2000 and written + len(batch) < count:
            events, rows = copies.make()
            batch += events
            keys += rows
        with database.transaction() as cursor:
            cursor.executemany(
                "INSERT INTO {p}kirjuri_data_keys (subject_id, retention_class,"
                " wrapped, master_key_id, created_at) VALUES (%s, %s, %s, %s, %s)",
                keys,
            )
        recorder.insert_events(batch[: count - written])
        written += len(batch[: count - written])
        if progress is not None:
            progress.advance(written)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kirjuri: Kirjuri, count: int) -> dict[str, Any]:
    fill(kirjuri, count)
    started = time.perf_counter()
    Projector(kirjuri.ledger, [MerkleModel()], batch_size=5000).catch_up()
    build = time.perf_counter() - started
    kirjuri.notary.issue()
    head = kirjuri.ledger.head()
    started, cpu = time.perf_counter(), time.process_time()
    after = None
    while batch := kirjuri.ledger.notifications(after, 5000):
        after = batch[-1].id
    raw = head / (time.perf_counter() - started)
    raw_cpu = head / (time.process_time() - cpu)
    checkpoints = [s.checkpoint for s in kirjuri.notary.all()]
    rss_before = _peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = verify_ledger(
        kirjuri.ledger,
        kirjuri.merkle,
        checkpoints,
        kirjuri.signer().verifier,
        kirjuri.origin,
    )
    verify = result.events / (time.perf_counter() - started)
    # Per CPU second of this process too: on a shared machine the wall
    # clock says as much about the other jobs as about verify.
    verify_cpu = result.events / (time.process_time() - cpu)
    assert result.ok, result.problems[:3]
    proof_ms, verify_ms, sizes = [], [], []
    for sequence in (1, head // 3, head // 2, head - 1, head):
        started = time.perf_counter()
        evidence = build_evidence(kirjuri, [sequence], hashes_only=False)
        proof_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert verify_evidence(evidence, kirjuri.signer().verifier) == []
        verify_ms.append((time.perf_counter() - started) * 1000)
        sizes.append(len(json.dumps(evidence)))
    proof = kirjuri.merkle.inclusion_proof(head // 2, head)
    checkpoint_s, scan_s = _checkpoint_after(kirjuri, 1000)
    return {
        "events": head,
        "checkpoint_after_1000_more_s": round(checkpoint_s, 3),
        "stream_map_full_scan_s": round(scan_s, 3),
        "merkle_build_events_per_s": round(head / build),
        "verify_events_per_s": round(verify),
        "raw_read_events_per_s": round(raw),
        "verify_vs_raw_read": round(verify / raw, 3),
        "verify_vs_raw_read_per_cpu_s": round(verify_cpu / raw_cpu, 3),
        "inclusion_proof_hashes": len(proof),
        "inclusion_proof_bytes": 32 * len(proof),
        "evidence_file_bytes_median": round(median(sizes)),
        "prove_ms_median": round(median(proof_ms), 2),
        "verify_proof_ms_median": round(median(verify_ms), 2),
        "peak_rss_mb_before_verify": round(rss_before),
        "peak_rss_mb_after_verify": round(_peak_rss_mb()),
    }


def _checkpoint_after(kirjuri: Kirjuri, more: int) -> tuple[float, float]:
    """Seconds to sign a checkpoint after ``more`` new events (the stream map
    brought forward from its table), and to fold the map from every leaf
    as signing did before the table."""
    # Copies of the newest stored events under new streams, as `fill` does,
    # without its template commands (they would catch every read model up).
    ledger = kirjuri.ledger
    newest = ledger.notifications(ledger.head() - 4, 4)
    batch = []
    while len(batch) < more:
        stream = uuid.uuid4()
        batch.extend(
            StoredEvent(stream, version, n.topic, n.state)
            for version, n in enumerate(newest, 1)
        )
    ledger.recorder.insert_events(batch[:more])
    Projector(kirjuri.ledger, [MerkleModel()], batch_size=5000).catch_up()
    started = time.perf_counter()
    size = kirjuri.notary.issue().checkpoint.size
    signed = time.perf_counter() - started
    started = time.perf_counter()
    stream_heads(kirjuri.merkle, size).claim()
    return signed, time.perf_counter() - started


def run(count: int) -> dict[str, Any]:
    configure_logging("warning")
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(sqlite_path=Path(folder) / "integrity.db", **keys)
        with Kirjuri.open(settings, create=True) as kirjuri:
            kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
            results["sqlite"] = measure(kirjuri, count)
    print(f"sqlite: {results['sqlite']}", file=sys.stderr)
    with postgres_server() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA integrity")
        settings = Settings(database_url=f"{url}?schema=integrity", **keys)
        with Kirjuri.open(settings, create=True) as kirjuri:
            kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
            results["postgres"] = measure(kirjuri, count)
    print(f"postgres: {results['postgres']}", file=sys.stderr)
    return results


if __name__ == "__main__":
    size = (
        int(sys.argv[1])
        if len(sys.argv) > 1
        else int(os.environ.get("BENCH_INTEGRITY_EVENTS", "100000"))
    )
    print(json.dumps(run(size), indent=2))
