"""Erasure while another process reads: it finishes at once, says the scrub
is pending, and a later sweep scrubs; sweeps count what they destroy."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
import pytest

from commands.service import Kirjuri
from ledger.keys import KeyStore
from tests.test_erasure import raw_database, rich_subject, run, wrapped_keys

if TYPE_CHECKING:
    from collections.abc import Iterator

    from commands.bootstrap import Settings


@contextmanager
def reader(settings: Settings) -> Iterator[None]:
    """Another process's connection in the middle of a read transaction."""
    if settings.database_url is None:
        conn = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT COUNT(*) FROM kirjuri_data_keys").fetchone()
        try:
            yield
        finally:
            conn.execute("COMMIT")
            conn.close()
        return
    base, _, schema = settings.database_url.partition("?schema=")
    with psycopg.connect(base) as pg:
        pg.execute(f'SELECT COUNT(*) FROM "{schema}".kirjuri_data_keys').fetchone()
        yield
        pg.commit()


def test_erase_beside_a_reader_finishes_and_a_sweep_scrubs_after_it(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    subject = rich_subject(kirjuri)
    keys = wrapped_keys(kirjuri, subject)
    with reader(settings):
        outcome = run(kirjuri, kind="erase", subject=subject, remove_objection=True)
        assert outcome.scrub_pending
        assert outcome.as_dict()["scrub"].startswith("pending: a reader holds")
        assert kirjuri.scrub_pending()
        destroyed = set(keys) - set(wrapped_keys(kirjuri, subject))
        assert destroyed
    kirjuri.sweep()
    assert not kirjuri.scrub_pending()
    raw = raw_database(kirjuri, settings)
    assert [c for c in destroyed if keys[c] in raw] == []


def test_a_pending_scrub_is_finished_at_the_next_start(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    subject = rich_subject(kirjuri)
    keys = wrapped_keys(kirjuri, subject)
    with reader(settings):
        assert run(kirjuri, kind="erase", subject=subject).scrub_pending
    kirjuri.close()
    with Kirjuri.open(settings) as reopened:
        assert not reopened.scrub_pending()
        destroyed = set(keys) - set(wrapped_keys(reopened, subject))
        raw = raw_database(reopened, settings)
    assert destroyed and [c for c in destroyed if keys[c] in raw] == []


class Crash(BaseException):
    """The process dying between recording an erasure and destroying keys."""


def test_a_sweep_that_finishes_an_erasure_counts_its_subject(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    subject = rich_subject(kirjuri)

    def crash(*_: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(KeyStore, "destroy", crash)
        with pytest.raises(Crash):
            run(kirjuri, kind="erase", subject=subject)
    live = set(wrapped_keys(kirjuri, subject))
    rows = kirjuri.sweep()
    assert [r.subject for r in rows] == [subject]
    assert set(rows[0].destroyed.split(",")) <= live
    assert set(wrapped_keys(kirjuri, subject)) == live - set(
        rows[0].destroyed.split(",")
    )
