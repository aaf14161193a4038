"""Catch-up: one mechanism that keeps read models current on both backends.

SQLite has no live subscriptions, so read models are brought up to date by
pulling the ledger's notification log (after each command, or on demand) in
batches. Each batch is applied in one transaction together with each model's
tracking position (the library's tracking recorder), so a crash or a
concurrent catch-up never applies an event twice or skips one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

import structlog
from eventsourcing.persistence import IntegrityError, Tracking

from ledger.errors import KirjuriError
from projections.audit import AuditModel
from projections.base import BatchWriter
from projections.contacts import ContactsModel
from projections.disclosures import DisclosuresModel
from projections.erasures import ErasuresModel
from projections.findings import FindingsModel
from projections.lookup import BlindIndexModel
from projections.merkle import MerkleModel
from projections.requests import RequestsModel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import Notification, TrackingRecorder

    from ledger.application import Ledger
    from ledger.events import SubjectEvent
    from projections.base import Batch, ReadModel

__all__ = ["Progress", "Projector", "default_models"]

log = structlog.get_logger("kirjuri.projections")


class ProjectionError(KirjuriError):
    """Stored events a read model cannot take (a defect, not a race)."""


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
        MerkleModel(),
    )


class Projector:
    """Brings every read model up to the head of the ledger's log."""

    def __init__(
        self,
        ledger: Ledger,
        models: Sequence[ReadModel] | None = None,
        batch_size: int = 1000,
    ) -> None:
        self.ledger = ledger
        self.models = tuple(models) if models is not None else default_models(ledger)
        self.batch_size = batch_size
        # Every model's position is at least this (as this process last saw).
        self._applied = -1
        self.tracking: TrackingRecorder = ledger.factory.tracking_recorder()
        self._create_tables()

    def _create_tables(self) -> None:
        self.ledger.database.execute_script(
            [statement for model in self.models for statement in model.ddl]
        )

    def tracking_name(self, model: ReadModel) -> str:
        return f"{self.ledger.name}/{model.name}"

    def positions(self) -> dict[str, int]:
        return {
            model.name: self.tracking.max_tracking_id(self.tracking_name(model)) or 0
            for model in self.models
        }

    def catch_up(
        self, progress: Progress | None = None, batch_size: int | None = None
    ) -> int:
        """Apply every event not yet applied; returns how many were read."""
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
            try:
                self._apply_batch(batch, positions)
            except IntegrityError as err:
                # Another process applied this batch first: resume from there.
                # If nobody moved on, the batch itself is wrong: say so, once.
                moved = self.positions()
                if moved == positions:
                    raise ProjectionError(
                        f"read models cannot apply events {notifications[0].id}"
                        f"-{notifications[-1].id}: {err}"
                    ) from err
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
        if any(model.needs_events for model in self.models):
            return [(n, self.ledger.to_event(n)) for n in notifications]
        return [(n, cast("SubjectEvent", None)) for n in notifications]

    def _apply_batch(self, batch: Batch, positions: dict[str, int]) -> None:
        last = batch[-1][0].id
        record = getattr(self.tracking, "_insert_tracking")  # noqa: B009
        for model in self.models:
            model.prepare(batch)
        with self.ledger.database.transaction() as cursor:
            for model in self.models:
                position = positions[model.name]
                if position >= last:
                    continue
                writer = BatchWriter(cursor)
                model.apply_batch(writer, [b for b in batch if b[0].id > position])
                writer.flush()
                # The library's tracking row commits with the model's rows.
                record(cursor.raw, Tracking(self.tracking_name(model), last))
        for model in self.models:
            positions[model.name] = max(positions[model.name], last)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every read model and replay the whole log into fresh tables."""
        self._applied = -1
        table = getattr(self.tracking, "tracking_table_name", "tracking")
        prefix = self.ledger.database.sql("{p}")
        with self.ledger.database.transaction() as cursor:
            for model in self.models:
                for name in model.tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {{p}}{name}")
                cursor.execute(
                    f"DELETE FROM {prefix}{table} WHERE application_name = %s",
                    (self.tracking_name(model),),
                )
        self._create_tables()
        log.info(
            "projections dropped for rebuild", models=[m.name for m in self.models]
        )
        return self.catch_up(progress, batch_size=REBUILD_BATCH)
