"""Read models that follow a bulk run's saves in a process of their own.

After each batch a bulk run brought ten read models and the Merkle log up to
date itself: about a third of its time, on one core. With a follower, a
second process applies them while the run judges its next batch (two cores,
two processes). The run still catches up, before each batch, the two models
its commands consult (the blind index, to find emails already registered,
and the suppression list), every model when a command looks a subject up
another way, and every model at its end: nothing is skipped, and whatever
the follower has not applied (it stopped, it failed) the run applies.

Off by default (KIRJURI_FOLLOWER=yes turns it on): on a 2-core machine shared
with other work it was not faster. Small runs never start one: it starts
after FOLLOW_AFTER batches, so an API batch pays nothing for it.

``kirjuri serve`` with KIRJURI_FOLLOWER=yes runs one for its whole life:
one command then returns once saved, without applying the read models
itself, and every read brings them up to date first (``Kirjuri.before_read``),
so a caller still reads its own writes.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
import structlog
from eventsourcing.persistence import PersistenceError

from commands.logs import configure_logging
from projections.erasures import ErasuresModel
from projections.lookup import BlindIndexModel
from projections.runner import Projector

if TYPE_CHECKING:
    from collections.abc import Iterator

    from commands.bootstrap import Settings
    from ledger.application import Ledger

__all__ = ["FOLLOW_AFTER", "Following", "follow"]

log = structlog.get_logger("kirjuri.follower")

# Batches a run saves before it starts a follower (a process costs about a
# second to start, with its imports).
FOLLOW_AFTER = 4
# Seconds the follower waits when it found nothing new.
FOLLOW_PAUSE = 0.05
# Events the follower applies per transaction: on PostgreSQL catch-ups are
# serialised, so the run's own catch-up waits for at most one such batch.
FOLLOW_BATCH = 250
# Seconds the run waits for the follower to stop at its end.
STOP_WAIT = 30.0


def follow(settings: Settings, stop: Any, applied: Any) -> None:
    """The follower process: catch up, pause when there is nothing new, until
    told to stop. A failed catch-up is logged and tried again."""
    from commands.service import Kirjuri  # noqa: PLC0415 - in the child only

    configure_logging(settings.log_level)
    with Kirjuri.open(settings) as kirjuri:
        log.info("read models followed", pid=os.getpid())
        while not stop.is_set():
            try:
                read = kirjuri.projector.catch_up(batch_size=FOLLOW_BATCH)
            except (PersistenceError, sqlite3.Error, psycopg.Error) as err:
                log.warning("follower could not catch up", error=type(err).__name__)
                read = 0
            applied.value += read
            if not read:
                stop.wait(FOLLOW_PAUSE)


class Following:
    """A bulk run's follower: started after FOLLOW_AFTER batches (if the
    settings allow it and the machine has a second core), stopped at the
    run's end."""

    def __init__(self, ledger: Ledger, settings: Settings, *, wanted: bool) -> None:
        self._settings = settings
        self._ledger = ledger
        self._wanted = wanted and (os.cpu_count() or 1) > 1
        # What a batch consults, once a follower applies everything else.
        self.consulted: Projector | None = None
        self._process: Any = None
        self._stop: Any = None  # the process's stop flag and count,
        self._applied: Any = None  # made with it: most runs never start one
        self._batches = 0

    def saved_batch(self) -> None:
        """A batch was saved: start the follower once the run is long."""
        self._batches += 1
        if self._batches >= FOLLOW_AFTER:
            self.start()

    def start(self) -> bool:
        """Start the follower now (if wanted and not yet running); whether
        one runs."""
        if self._wanted and self._process is None:
            context = multiprocessing.get_context("spawn")
            self._stop, self._applied = context.Event(), context.Value("q", 0)
            process = context.Process(
                target=follow,
                args=(self._settings, self._stop, self._applied),
                name="kirjuri-follower",
                daemon=True,
            )
            ledger = self._ledger
            models = [BlindIndexModel(ledger), ErasuresModel()]
            self.consulted = Projector(ledger, models)
            process.start()
            self._process = process
        return self._process is not None

    def stop(self) -> int:
        """Stop the follower; how many events it applied."""
        process, self._process = self._process, None
        self.consulted = None
        if process is None:
            return 0
        self._stop.set()
        process.join(STOP_WAIT)
        if process.is_alive():  # stuck on a lock: the run applies the rest
            process.terminate()
            process.join()
        if process.exitcode:
            log.warning("follower ended with an error", exitcode=process.exitcode)
        applied = int(self._applied.value)
        log.info("follower stopped", events=applied)
        return applied


@contextmanager
def following(
    ledger: Ledger, settings: Settings, *, wanted: bool
) -> Iterator[Following]:
    """A run's follower, stopped however the run ends."""
    follower = Following(ledger, settings, wanted=wanted)
    try:
        yield follower
    finally:
        follower.stop()
