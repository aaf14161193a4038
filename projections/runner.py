"""Catch-up: one mechanism that keeps read models current on both backends.

SQLite has no live subscriptions, so read models are brought up to date by
pulling the ledger's notification log (after each command, or on demand) in
batches. Each batch is applied in one transaction together with each model's
tracking position (the library's tracking recorder), so a crash or a
concurrent catch-up never applies an event twice or skips one.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

import psycopg
import structlog
from eventsourcing.persistence import IntegrityError, Tracking

from ledger.errors import KirjuriError
from ledger.standby import primary
from ledger.storage import CATCH_UP_LOCK, ddl_lock
from projections.audit import AuditModel
from projections.base import BatchWriter
from projections.contacts import ContactsModel
from projections.disclosures import DisclosuresModel
from projections.erasures import ErasuresModel
from projections.findings import FindingsModel
from projections.lookup import BlindIndexModel
from projections.merkle import MerkleModel
from projections.requests import RequestsModel
from projections.tokens import TokensModel
from projections.users import UsersModel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import Notification, TrackingRecorder

    from ledger.application import Ledger
    from ledger.events import SubjectEvent
    from ledger.storage import Database, PortableCursor
    from projections.base import Batch, ReadModel

__all__ = ["Progress", "Projector", "default_models"]

log = structlog.get_logger("kirjuri.projections")


class ProjectionError(KirjuriError):
    """Stored events a read model cannot take (a defect, not a race)."""


FAULTS_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_projection_faults ("
    " model TEXT NOT NULL, notification_id {bigint} NOT NULL, error TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL, PRIMARY KEY (model, notification_id))"
)


def _is_integrity_error(err: Exception) -> bool:
    """A unique or foreign-key clash from either backend's driver."""
    return isinstance(
        err, (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)
    )


# A rebuild replays the whole log: larger batches mean fewer commits (each an
# fsync) and longer runs of one statement, at a bounded memory cost.
REBUILD_BATCH = 10_000


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, done: int) -> None: ...
    def finish(self) -> None: ...


def default_models(ledger: Ledger) -> tuple[ReadModel, ...]:
    return (
        ContactsModel(),
        BlindIndexModel(ledger),
        DisclosuresModel(),
        RequestsModel(),
        FindingsModel(),
        AuditModel(),
        ErasuresModel(),
        MerkleModel(ledger.notifications),
        TokensModel(),
        UsersModel(),
    )


class Projector:
    """Brings every read model up to the head of the ledger's log."""

    def __init__(
        self,
        ledger: Ledger,
        models: Sequence[ReadModel] | None = None,
        batch_size: int = 1000,
        database: Database | None = None,
    ) -> None:
        self.ledger = ledger
        # Where the models' tables are (a rebuild's are new tables beside).
        self.database = database or ledger.database
        self.models = tuple(models) if models is not None else default_models(ledger)
        self.batch_size = batch_size
        # Every model's position is at least this (as this process last saw).
        self._applied = -1
        self._lock = threading.RLock()
        # Events of the batch being applied that do not decode: error class.
        self._undecodable: dict[int, str] = {}
        # Tables are made on the primary, even by a projector a read builds.
        with primary(writes=True):
            with ddl_lock(ledger.database.datastore):  # writers start at once
                self.tracking: TrackingRecorder = ledger.factory.tracking_recorder()
            self._create_tables()

    def _create_tables(self) -> None:
        self.database.execute_script(
            [
                FAULTS_DDL,
                *(statement for model in self.models for statement in model.ddl),
            ]
        )

    def tracking_name(self, model: ReadModel) -> str:
        return f"{self.ledger.name}/{model.name}"

    def fault_name(self, model: ReadModel) -> str:
        return model.name

    def forget_position(self) -> None:
        """The tables changed under this process (a rebuild swapped them)."""
        self._applied = -1

    def positions(self) -> dict[str, int]:
        return {
            model.name: self.tracking.max_tracking_id(self.tracking_name(model)) or 0
            for model in self.models
        }

    def catch_up(
        self, progress: Progress | None = None, batch_size: int | None = None
    ) -> int:
        """Apply every event not yet applied; returns how many were read.
        On the primary, always: positions and events read on a standby
        could be older than the models it writes to."""
        # One at a time per projector: its models keep a batch's prepared
        # work, and an API's streamed answers catch up from other threads.
        with self._lock, primary():
            return self._catch_up(progress, batch_size)

    def _catch_up(self, progress: Progress | None, batch_size: int | None) -> int:
        batch_size = batch_size or self.batch_size
        head = self.ledger.head()
        if head == self._applied:
            return 0  # this process applied up to the head: no tracking reads
        positions = self.positions()
        start = min(positions.values(), default=0)
        if progress is not None:
            progress.start(max(head - start, 0))
        read = 0
        while True:
            notifications = self.ledger.notifications(start, batch_size)
            if not notifications:
                break
            batch = self._decode(notifications)
            moved = self._apply_with_care(batch, positions)
            if moved is not None:
                # Another process applied this batch first: resume from there.
                positions = moved
                start = min(positions.values())
                continue
            start = notifications[-1].id
            read += len(notifications)
            if progress is not None:
                progress.advance(read)
        if progress is not None:
            progress.finish()
        self._applied = start
        if read:
            log.debug("projections caught up", events=read, position=start)
        return read

    def _decode(self, notifications: Sequence[Notification]) -> Batch:
        """Notifications with their events; one that does not decode gets
        None, and the models that need events record it as a fault."""
        if not any(model.needs_events for model in self.models):
            return [(n, cast("SubjectEvent", None)) for n in notifications]
        batch: Batch = []
        for notification in notifications:
            try:
                event = self.ledger.to_event(notification)
            except Exception as err:
                self._undecodable[notification.id] = type(err).__name__
                event = cast("SubjectEvent", None)
            batch.append((notification, event))
        return batch

    def _apply_with_care(
        self, batch: Batch, positions: dict[str, int]
    ) -> dict[str, int] | None:
        """Apply a batch; None when done, or the positions another process
        moved to first. A batch that fails is applied again with each model's
        events isolated (savepoints), skipping and recording those a model
        cannot take; then also with the models' own integrity errors taken as
        such faults. The first, plain try costs no savepoints."""
        modes = ((False, False), (True, False), (True, True))
        for number, (careful, isolate) in enumerate(modes, 1):
            try:
                self._apply_batch(batch, positions, careful=careful, isolate=isolate)
            except IntegrityError as err:
                moved = self.positions()
                if moved != positions:
                    self._undecodable.clear()
                    return moved
                if number == len(modes):
                    raise ProjectionError(
                        f"read models cannot apply events {batch[0][0].id}"
                        f"-{batch[-1][0].id}"
                    ) from err
            except Exception:
                if careful:
                    raise
            else:
                return None
        return None  # not reached: the last mode returns or raises

    def _apply_batch(
        self,
        batch: Batch,
        positions: dict[str, int],
        *,
        careful: bool = False,
        isolate: bool = False,
    ) -> None:
        last = batch[-1][0].id
        record = getattr(self.tracking, "_insert_tracking")  # noqa: B009
        for model in self.models:
            try:
                model.prepare(batch)
            except Exception as err:
                log.error(
                    "read model could not prepare a batch",
                    model=model.name,
                    sequence=batch[0][0].id,
                    error=type(err).__name__,
                )
        with self.database.transaction() as cursor:
            # One catch-up at a time: concurrent ones would update the same
            # rows in different orders and deadlock. Whoever waited finds the
            # batch applied and resumes from where the other one got.
            serialised = self.database.serialise(cursor, CATCH_UP_LOCK)
            if serialised and self.positions() != positions:
                raise IntegrityError("another process applied this batch first")
            for model in self.models:
                position = positions[model.name]
                if position >= last:
                    continue
                items = [b for b in batch if b[0].id > position]
                if model.needs_events:
                    for notification, _ in items:
                        if notification.id in self._undecodable:
                            self._fault(
                                cursor,
                                model,
                                notification.id,
                                self._undecodable[notification.id],
                            )
                    items = [b for b in items if b[0].id not in self._undecodable]
                if careful:
                    self._apply_model(cursor, model, items, isolate=isolate)
                else:
                    writer = BatchWriter(cursor)
                    model.apply_batch(writer, items)
                    writer.flush()
                # The library's tracking row commits with the model's rows.
                record(cursor.raw, Tracking(self.tracking_name(model), last))
        self._undecodable.clear()
        for model in self.models:
            positions[model.name] = max(positions[model.name], last)

    def _apply_model(
        self, cursor: PortableCursor, model: ReadModel, items: Batch, *, isolate: bool
    ) -> None:
        """Apply a model's part of a batch; if it fails, apply its events one
        by one and skip (and record) each it cannot take, so one bad event
        never stops the other models nor the ledger. A database integrity
        error means another process got there first, unless `isolate`."""
        cursor.execute("SAVEPOINT kirjuri_model")
        try:
            writer = BatchWriter(cursor)
            model.apply_batch(writer, items)
            writer.flush()
        except Exception as err:
            if _is_integrity_error(err) and not isolate:
                raise
            cursor.execute("ROLLBACK TO SAVEPOINT kirjuri_model")
            for item in items:
                cursor.execute("SAVEPOINT kirjuri_event")
                try:
                    writer = BatchWriter(cursor)
                    model.apply_batch(writer, [item])
                    writer.flush()
                except Exception as failed:
                    if _is_integrity_error(failed) and not isolate:
                        raise
                    cursor.execute("ROLLBACK TO SAVEPOINT kirjuri_event")
                    self._fault(cursor, model, item[0].id, type(failed).__name__)
                cursor.execute("RELEASE SAVEPOINT kirjuri_event")
        cursor.execute("RELEASE SAVEPOINT kirjuri_model")

    def _fault(
        self, cursor: PortableCursor, model: ReadModel, sequence: int, error: str
    ) -> None:
        """Record that a model skipped an event: the class of the error only
        (its text may hold a value), shown by `projections status`."""
        log.error(
            "read model cannot apply an event; skipped it",
            model=model.name,
            sequence=sequence,
            error=error,
        )
        cursor.execute(
            "INSERT INTO {p}kirjuri_projection_faults (model, notification_id,"
            " error, recorded_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (model, notification_id) DO NOTHING",
            (self.fault_name(model), sequence, error, datetime.now(UTC).isoformat()),
        )

    def faults(self) -> list[dict[str, Any]]:
        """Events a read model skipped because it could not apply them."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT model, notification_id, error, recorded_at"
                " FROM {p}kirjuri_projection_faults ORDER BY notification_id, model"
            )
            return [dict(row) for row in cursor.fetchall()]

    def rebuild(self, progress: Progress | None = None) -> int:
        """Every read model again from the log, into new tables swapped in
        at the end (projections.rebuild): reads keep answering meanwhile."""
        from projections.rebuild import rebuild  # noqa: PLC0415 - it imports us

        return rebuild(self, progress)
