"""The blind index: a keyed hash of looked-up values (email) → subject.

Built from sealed values, opened here only to hash them, so the index holds
no value in clear; a value whose key was destroyed (erasure) is not indexed,
and a rebuild after erasure cannot bring it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from ledger.errors import KirjuriError
from projections.base import Batch, ReadModel, handles

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.storage import Cursor

__all__ = ["BlindIndexModel"]


class BlindIndexModel(ReadModel):
    name: ClassVar[str] = "lookup"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_lookup",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_lookup ("
        " lookup TEXT NOT NULL, subject_id TEXT NOT NULL, category TEXT NOT NULL,"
        " PRIMARY KEY (lookup, subject_id))",
        "CREATE INDEX IF NOT EXISTS kirjuri_lookup_by_subject"
        " ON {p}kirjuri_lookup (subject_id)",
    )

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._prepared: dict[int, str | None] = {}
        self._failed: dict[int, KirjuriError] = {}

    def prepare(self, batch: Batch) -> None:
        # Keys are read on their own connections, before the batch's write
        # transaction opens (SQLite has one writer). A value that cannot be
        # opened (its key missing, not destroyed) fails only its own event.
        self._prepared, self._failed = {}, {}
        looked_up = {c.id for c in self.ledger.policy.categories if c.lookup}
        self.ledger.keys.preload(
            (event.originator_id, event.value.key)
            for _, event in batch
            if isinstance(event, (ev.DataCollected, ev.DataRectified))
            and event.category in looked_up
        )
        for notification, event in batch:
            if isinstance(event, (ev.DataCollected, ev.DataRectified)):
                try:
                    self._prepared[notification.id] = self.ledger.lookup_of(
                        event.originator_id, event.category, event.value
                    )
                except KirjuriError as err:
                    self._failed[notification.id] = err

    @handles(ev.SubjectErased)
    @handles(ev.RetentionExpired)
    def _forgotten(
        self, event: ev.SubjectErased | ev.RetentionExpired, cursor: Cursor, _: int
    ) -> None:
        policy = self.ledger.policy
        categories = [c.id for c in policy.categories if c.retention in event.destroyed]
        if categories:
            placeholders = ", ".join(["%s"] * len(categories))
            cursor.execute(
                "DELETE FROM {p}kirjuri_lookup WHERE subject_id = %s"
                f" AND category IN ({placeholders})",
                (str(event.originator_id), *categories),
            )

    @handles(ev.DataCollected)
    @handles(ev.DataRectified)
    def _value(
        self, event: ev.DataCollected | ev.DataRectified, cursor: Cursor, n: int
    ) -> None:
        if n in self._failed:
            raise self._failed[n]
        lookup = self._prepared.get(n)
        if lookup is not None and isinstance(event, ev.DataRectified):
            # A corrected value replaces the wrong one: the old one no longer
            # finds the person.
            cursor.execute(
                "DELETE FROM {p}kirjuri_lookup WHERE subject_id = %s AND category = %s",
                (str(event.originator_id), event.category),
            )
        if lookup is not None:
            cursor.execute(
                "INSERT INTO {p}kirjuri_lookup (lookup, subject_id, category)"
                " VALUES (%s, %s, %s) ON CONFLICT (lookup, subject_id) DO NOTHING",
                (lookup, str(event.originator_id), event.category),
            )
