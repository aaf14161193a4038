"""A long import's memory: the states a bulk run keeps between batches are
bounded by the events they fold, and its recorded lines are kept compactly;
neither changes what is recorded. Both backends."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any
from uuid import UUID

from commands.bulk_gc import BULK_THRESHOLDS
from commands.models import parse_command
from commands.numbered import Numbered
from ledger import run as run_module

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pytest

    from commands.service import Kirjuri


def _feed() -> list[tuple[int, Any]]:
    lines: list[dict[str, Any]] = [
        {"kind": "register", "company": "A Oy", "email": "a@a.example",
         "source": "subject", "at": "2025-01-02"},
        {"kind": "consent", "subject": "a@a.example", "purpose": "partner_marketing",
         "channel": "web_form", "at": "2025-01-03"},
    ]  # fmt: skip
    for number in range(20):  # others, so that A's state is let go
        lines.append(
            {"kind": "register", "company": f"Oy {number}", "source": "subject",
             "email": f"p{number}@b.example", "at": "2025-01-04"}
        )  # fmt: skip
    lines.append(
        {"kind": "process", "subject": "a@a.example", "purpose": "partner_marketing",
         "activity": "newsletter_sent", "categories": ["email"], "at": "2025-02-01"}
    )  # fmt: skip
    return [(n, parse_command(line)) for n, line in enumerate(lines, 1)]


def test_a_run_that_lets_states_go_judges_with_the_stored_ones(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_module, "RUN_EVENTS", 3)
    report = kirjuri.execute_many(_feed(), batch_size=2)
    assert report.failure is None and not report.rejected
    assert report.recorded == 23
    assert [n for n, _ in report.done] == list(range(1, 24))
    # The consent given before A's state was let go still counts.
    assert kirjuri.findings() == []


def test_recorded_lines_are_kept_as_pairs() -> None:
    lines = Numbered([(1, "register"), (5, "collect")])
    lines.append((7, "register"))
    assert list(lines) == [(1, "register"), (5, "collect"), (7, "register")]
    assert len(lines) == 3 and lines[-1] == (7, "register")
    assert list(lines.numbers()) == [1, 5, 7]
    assert lines == [(1, "register"), (5, "collect"), (7, "register")]


def test_an_erasure_mid_run_forgets_only_the_erased_subject(kirjuri: Kirjuri) -> None:
    lines: list[dict[str, Any]] = [
        {"kind": "register", "company": "A Oy", "email": "a@a.example",
         "source": "subject", "at": "2025-01-02"},
        {"kind": "register", "company": "B Oy", "email": "b@b.example",
         "source": "subject", "at": "2025-01-02"},
        {"kind": "consent", "subject": "b@b.example", "purpose": "partner_marketing",
         "channel": "web_form", "at": "2025-01-03"},
        {"kind": "erase", "subject": "a@a.example", "at": "2025-01-04"},
        # The erased email is free again: a new person, not the erased one.
        {"kind": "register", "company": "A2 Oy", "email": "a@a.example",
         "source": "subject", "at": "2025-01-05"},
        {"kind": "process", "subject": "b@b.example", "purpose": "partner_marketing",
         "activity": "newsletter_sent", "categories": ["email"], "at": "2025-02-01"},
    ]  # fmt: skip
    feed = [(n, parse_command(line)) for n, line in enumerate(lines, 1)]
    report = kirjuri.execute_many(feed, batch_size=2)
    assert report.failure is None and not report.rejected
    assert [n for n, _ in report.done] == [1, 2, 3, 4, 5, 6]
    first, again = kirjuri.subjects("a@a.example"), kirjuri.subjects("A2 Oy")
    assert len(again) == 1 and first == again  # the erased one is not found
    assert kirjuri.findings() == []  # B's consent, kept in memory, still counts


def test_a_state_let_go_is_kept_as_a_snapshot_that_matches_its_events(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long import lets the same growing streams go over and over; each is
    stored as a snapshot when let go, so it is not folded again from its
    first event, and the snapshot is what the events fold to."""
    monkeypatch.setattr(run_module, "RUN_EVENTS", 3)
    monkeypatch.setattr(run_module, "EVICTED_SNAPSHOT", 2)
    report = kirjuri.execute_many(_feed(), batch_size=2)
    assert report.failure is None and not report.rejected
    (row,) = kirjuri.subjects("a@a.example")
    a = UUID(row.subject_id)
    stored = kirjuri.ledger.state_snapshots.get(a)
    assert stored is not None and stored.version >= 2
    assert kirjuri.ledger.check_snapshots() == []
    assert kirjuri.ledger.load(a) == kirjuri.ledger.load_from_events(a)
    assert kirjuri.findings() == []  # the consent still counts


def test_a_bulk_run_collects_garbage_less_often_then_gives_the_settings_back(
    kirjuri: Kirjuri,
) -> None:
    """The collector's thresholds are the process's, not the run's: raised
    while the run goes on, given back after it, a failed one included."""
    before = gc.get_threshold()
    seen = []

    def feed() -> Iterator[tuple[int, Any]]:
        for number, command in _feed():
            seen.append(gc.get_threshold())
            yield number, command
        raise OSError("the input failed")

    report = kirjuri.execute_many(feed(), batch_size=5)
    assert isinstance(report.failure, OSError) and report.recorded == 20
    assert set(seen) == {BULK_THRESHOLDS} != {before}
    assert gc.get_threshold() == before
