"""A rebuild builds new tables and swaps them in: it equals the caught-up
read models, reads answer while it runs, and a second rebuild (or one left
half-done) works too, on both backends."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from bench.generate import generate
from commands.feed import apply_feed
from projections.compare import compare_read_models
from projections.runner import default_models

if TYPE_CHECKING:
    from commands.service import Kirjuri


def fill(kirjuri: Kirjuri, events: int = 600) -> None:
    lines = (json.dumps(c) for c in generate(events, seed=3))
    report = apply_feed(kirjuri, lines, batch_size=50)
    assert report.recorded > 0
    assert not report.rejected


def differences(kirjuri: Kirjuri) -> list[Any]:
    ledger = kirjuri.ledger
    return compare_read_models(ledger, default_models(ledger), ledger.head())


class Reader:
    """A progress display that reads the ledger between the rebuild's batches."""

    def __init__(self, kirjuri: Kirjuri) -> None:
        self.kirjuri = kirjuri
        self.answers: list[tuple[int, int, int]] = []

    def start(self, total: int) -> None:
        self.advance(0)

    def advance(self, done: int) -> None:
        history = self.kirjuri.history(limit=100_000)
        findings = self.kirjuri.findings()
        self.answers.append((done, len(history), len(findings)))

    def finish(self) -> None:
        pass


def indexes(kirjuri: Kirjuri) -> set[str]:
    database = kirjuri.ledger.database
    with database.transaction(commit=False) as cursor:
        if database.backend == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            return {row["name"] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s",
            (database.datastore.schema,),  # type: ignore[union-attr]
        )
        return {row["indexname"] for row in cursor.fetchall()}


def test_a_rebuild_equals_the_caught_up_read_models(kirjuri: Kirjuri) -> None:
    fill(kirjuri)
    kirjuri.catch_up()
    assert differences(kirjuri) == []
    named = indexes(kirjuri)
    assert "kirjuri_audit_by_subject" in named
    applied = kirjuri.rebuild()
    assert applied == kirjuri.ledger.head()
    assert differences(kirjuri) == []
    assert indexes(kirjuri) == named  # every index back, by its name
    kirjuri.rebuild()  # the swapped-in tables and indexes take a second one
    assert differences(kirjuri) == []
    assert indexes(kirjuri) == named
    assert kirjuri.projection_status().faults == ()


def test_reads_answer_in_full_while_a_rebuild_runs(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(kirjuri)
    before = (len(kirjuri.history(limit=100_000)), len(kirjuri.findings()))
    assert before[0] > 0
    monkeypatch.setattr("projections.rebuild.REBUILD_BATCH", 100)
    reader = Reader(kirjuri)
    kirjuri.rebuild(reader)
    assert len(reader.answers) > 3  # read between the batches
    assert {(h, f) for _, h, f in reader.answers} == {before}
    assert (len(kirjuri.history(limit=100_000)), len(kirjuri.findings())) == before


def test_a_rebuild_left_half_done_is_started_again(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(kirjuri)
    monkeypatch.setattr("projections.rebuild.REBUILD_BATCH", 100)

    class Interrupted(Exception):
        pass

    class Stop(Reader):
        def advance(self, done: int) -> None:
            if done >= 300:
                raise Interrupted

    with pytest.raises(Interrupted):
        kirjuri.rebuild(Stop(kirjuri))
    assert differences(kirjuri) == []  # the live tables are untouched
    kirjuri.rebuild()
    assert differences(kirjuri) == []
