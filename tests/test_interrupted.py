"""A feed killed with SIGKILL mid-run, run again, equals one clean run."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import TYPE_CHECKING

import psycopg
import pytest

from bench.generate import generate
from bench.interrupted import (
    apply_process,
    init,
    kill_after,
    read_models,
    story,
    verified,
)
from commands.bootstrap import Settings
from commands.feed import apply_feed
from commands.service import Kirjuri

if TYPE_CHECKING:
    from pathlib import Path

BATCH = 100


def another_ledger(settings: Settings, tmp_path: Path) -> Settings:
    """A second, empty ledger on the same backend as `settings`."""
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    if settings.database_url is None:
        return Settings(sqlite_path=tmp_path / "clean.db", **keys)
    base = settings.database_url.split("?", 1)[0]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(database_url=f"{base}?schema={schema}", **keys)


@pytest.mark.slow
def test_a_feed_killed_mid_run_and_run_again_equals_a_clean_run(
    settings: Settings, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in generate(3_000)),
        encoding="utf-8",
    )
    clean = another_ledger(settings, tmp_path)
    for ledger in (settings, clean):
        init(ledger)
    with Kirjuri.open(clean) as kirjuri, feed.open("rb") as source:
        apply_feed(kirjuri, source, batch_size=BATCH)
        expected = story(kirjuri)

    saved = kill_after(apply_process(settings, feed, BATCH), 5)
    assert saved == 5  # killed mid-feed, after five of its batches
    with Kirjuri.open(settings) as kirjuri:
        cut = len(story(kirjuri))
    assert 0 < cut < len(expected)
    rerun = apply_process(settings, feed, BATCH)
    _, err = rerun.communicate()
    assert rerun.returncode == 0, err.decode()[-500:]

    with Kirjuri.open(settings) as kirjuri:
        assert story(kirjuri) == expected
        assert verified(kirjuri)
        before = read_models(kirjuri)
        kirjuri.projector.rebuild()
        assert read_models(kirjuri) == before
