"""A long bulk run's read models applied by a follower process: the run
records exactly what a run without one records, finds the emails its
earlier batches registered, and leaves no process behind. Both backends."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

import psycopg

from bench.generate import generate
from commands import follower as follower_module
from commands.feed import apply_feed
from commands.models import parse_command
from commands.service import Kirjuri
from ledger import run as run_module
from projections.compare import compare_read_models
from projections.runner import default_models
from tests.conftest import POLICY, delivery

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import pytest

    from commands.bootstrap import Settings


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}")


def _lines() -> list[str]:
    commands = list(generate(2000, seed=5))
    first = next(c for c in commands if c["kind"] == "register")
    again = {**first, "name": "Someone Else"}  # the same email, registered again
    return [json.dumps(c) for c in [*commands, again]]


def _sibling(settings: Settings, tmp_path: Path) -> Settings:
    """An empty ledger beside the one under test, on the same backend."""
    if settings.database_url is None:
        return dataclasses.replace(settings, sqlite_path=tmp_path / "sibling.db")
    base = settings.database_url.split("?")[0]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return dataclasses.replace(settings, database_url=f"{base}?schema={schema}")


def _plain(rejected: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Refusals without the subject ids (each ledger makes its own)."""
    return [(n, UUID_TEXT.sub("<id>", why)) for n, why in rejected]


def _followers() -> list[Any]:
    children = multiprocessing.active_children()
    return [p for p in children if p.name == "kirjuri-follower"]


def _apply(settings: Settings, lines: list[str], seen: list[bool]) -> Any:
    def feed() -> Iterator[str]:
        for number, line in enumerate(lines):
            if number % 40 == 0:
                seen.append(bool(_followers()))
            yield line

    with Kirjuri.open(settings, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        report = apply_feed(kirjuri, feed(), batch_size=40)
        ledger = kirjuri.ledger
        differences = compare_read_models(ledger, default_models(ledger), ledger.head())
        return report, differences, kirjuri.findings(), ledger.head()


def test_a_run_with_a_follower_records_what_a_run_without_one_does(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follower_module, "FOLLOW_AFTER", 1)
    # Emails are looked up in the blind index, not remembered by the run.
    monkeypatch.setattr(run_module, "EMAILS_REMEMBERED", 0)
    lines = _lines()
    seen: list[bool] = []
    with_one = dataclasses.replace(settings, follower=True)
    followed, differences, findings, head = _apply(with_one, lines, seen)
    assert any(seen)  # a follower ran while the run did
    assert not _followers()  # and is gone
    assert differences == []  # the read models are what the events say

    alone: list[bool] = []
    without = dataclasses.replace(_sibling(settings, tmp_path), follower=False)
    expected, _, expected_findings, expected_head = _apply(without, lines, alone)
    assert not any(alone)
    assert followed.followed >= 0 and expected.followed == 0
    assert head == expected_head
    assert list(followed.done_lines) == list(expected.done_lines)
    assert _plain(followed.rejected) == _plain(expected.rejected)
    # The second registration of an email registered batches before is refused.
    assert followed.rejected[-1][0] == len(lines)
    assert "already registered" in followed.rejected[-1][1]
    assert len(findings) == len(expected_findings) > 0


def _disclose(subject: str, reference: str) -> Any:
    return parse_command(delivery(subject, reference))


def _registered(kirjuri: Kirjuri) -> str:
    kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
    outcome = kirjuri.execute(
        parse_command(
            {
                "kind": "register",
                "company": "Seuraaja Oy",
                "source": "subject",
                "email": "seuraaja@example.fi",
                "name": "Seuraaja",
            }
        )
    )
    return str(outcome.subject_id)


def _references(kirjuri: Kirjuri) -> set[str | None]:
    return {row.reference for row in kirjuri.history(recipient="delivery_partner")}


def test_a_served_write_leaves_the_read_models_to_the_follower_and_a_read_sees_it(
    settings: Settings,
) -> None:
    # A follower that has applied nothing yet (one that is not started):
    # the write returns with the read models behind, the next read is whole.
    with Kirjuri.open(settings, create=True) as kirjuri:
        subject = _registered(kirjuri)
        kirjuri._serving = follower_module.Following(
            kirjuri.ledger, settings, wanted=False
        )
        kirjuri.execute(_disclose(subject, "R-1"))
        status = kirjuri.projection_status()
        assert min(status.positions.values()) < status.head  # not applied here
        # Any read brings them up first, even one that reads no read model.
        kirjuri.checkpoints()
        status = kirjuri.projection_status()
        assert min(status.positions.values()) == status.head
        kirjuri.execute(_disclose(subject, "R-2"))
        assert {"R-1", "R-2"} <= _references(kirjuri)  # the caller's own writes


def test_a_server_follower_applies_the_read_models_and_stops_with_it(
    settings: Settings,
) -> None:
    with Kirjuri.open(
        dataclasses.replace(settings, follower=True), create=True
    ) as kirjuri:
        subject = _registered(kirjuri)
        with kirjuri.writes_followed() as running:
            assert running and _followers()
            for number in range(10):
                kirjuri.execute(_disclose(subject, f"F-{number}"))
                assert f"F-{number}" in _references(kirjuri)
            kirjuri.execute(_disclose(subject, "F-last"))
            # Nobody reads now: the follower alone brings the models up.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                status = kirjuri.projection_status()
                if min(status.positions.values()) == status.head:
                    break
                time.sleep(0.05)
            assert min(status.positions.values()) == status.head
        assert not _followers()
        ledger = kirjuri.ledger
        differences = compare_read_models(ledger, default_models(ledger), ledger.head())
        assert differences == []
        assert "F-last" in _references(kirjuri)
