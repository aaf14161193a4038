"""Erasures and retention expiries, and the suppression list they leave.

The suppression list holds keyed hashes only: an objection to marketing that
outlives the person's erasure, so that being collected again (say, from an
attendee list) does not restart the marketing the person refused.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["ErasuresModel"]


class ErasuresModel(ReadModel):
    name: ClassVar[str] = "erasures"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_erasures", "kirjuri_suppression")
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_erasures ("
        " notification_id {bigint} PRIMARY KEY, subject_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, occurred_at TEXT NOT NULL, request_id TEXT,"
        " destroyed TEXT NOT NULL, kept TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kirjuri_erasures_by_subject"
        " ON {p}kirjuri_erasures (subject_id)",
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_suppression ("
        " lookup TEXT NOT NULL, scope TEXT NOT NULL, since TEXT NOT NULL,"
        " subject_id TEXT NOT NULL, PRIMARY KEY (lookup, scope, subject_id))",
    )

    @handles(ev.SubjectErased)
    def _erased(self, event: ev.SubjectErased, cursor: Cursor, n: int) -> None:
        kept = [k.model_dump(mode="json") for k in event.kept]
        self._insert(
            cursor,
            n,
            event,
            kind="erasure",
            request_id=event.request_id,
            destroyed=event.destroyed,
            kept=kept,
        )
        cursor.executemany(
            "INSERT INTO {p}kirjuri_suppression (lookup, scope, since, subject_id)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (s.lookup, s.scope.value, s.since.isoformat(), str(event.originator_id))
                for s in event.suppression
            ],
        )

    @handles(ev.RetentionExpired)
    def _expired(self, event: ev.RetentionExpired, cursor: Cursor, n: int) -> None:
        self._insert(
            cursor,
            n,
            event,
            kind="retention",
            request_id=None,
            destroyed=event.destroyed,
            kept=[],
        )

    @staticmethod
    def _insert(
        cursor: Cursor,
        n: int,
        event: ev.SubjectEvent,
        *,
        kind: str,
        request_id: str | None,
        destroyed: tuple[str, ...],
        kept: list[dict[str, Any]],
    ) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_erasures (notification_id, subject_id, kind,"
            " occurred_at, request_id, destroyed, kept)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                n,
                str(event.originator_id),
                kind,
                iso(event.occurred_at),
                request_id,
                ",".join(destroyed),
                json.dumps(kept),
            ),
        )
