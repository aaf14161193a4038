"""Disclosure history: who received what, when, why, on which basis.

One row per disclosure or transfer, indexed per subject and per recipient,
so "every disclosure to the debt collector in 2025" is one index range.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["DisclosuresModel"]

_INSERT = (
    "INSERT INTO {p}kirjuri_disclosures (notification_id, subject_id, version, kind,"
    " recipient, country, safeguard, purpose, legal_basis, categories, reference,"
    " occurred_at, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
    " %s, %s)"
)


class DisclosuresModel(ReadModel):
    name: ClassVar[str] = "disclosures"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_disclosures",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_disclosures ("
        " notification_id {bigint} PRIMARY KEY, subject_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL,"
        " country TEXT NOT NULL, safeguard TEXT, purpose TEXT NOT NULL,"
        " legal_basis TEXT NOT NULL, categories TEXT NOT NULL, reference TEXT,"
        " occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kirjuri_disclosures_by_subject"
        " ON {p}kirjuri_disclosures (subject_id, occurred_at)",
        "CREATE INDEX IF NOT EXISTS kirjuri_disclosures_by_recipient"
        " ON {p}kirjuri_disclosures (recipient, occurred_at)",
    )

    @handles(ev.DataDisclosed)
    def _disclosed(self, event: ev.DataDisclosed, cursor: Cursor, n: int) -> None:
        self._insert(cursor, n, event, "disclosure", None)

    @handles(ev.DataProcessed)
    def _processed(self, event: ev.DataProcessed, cursor: Cursor, n: int) -> None:
        # A processor's use on our behalf: the person is told who it is too.
        if event.recipient is not None:
            self._insert(cursor, n, event, "processing", None)

    @handles(ev.DataTransferred)
    def _transferred(self, event: ev.DataTransferred, cursor: Cursor, n: int) -> None:
        safeguard = event.safeguard.value if event.safeguard is not None else None
        self._insert(cursor, n, event, "transfer", safeguard)

    @staticmethod
    def _insert(
        cursor: Cursor,
        n: int,
        event: ev.DataDisclosed | ev.DataTransferred | ev.DataProcessed,
        kind: str,
        safeguard: str | None,
    ) -> None:
        cursor.execute(
            _INSERT,
            (
                n,
                str(event.originator_id),
                event.originator_version,
                kind,
                event.recipient,
                getattr(event, "country", ""),  # a processor's is in the policy
                safeguard,
                event.purpose,
                event.legal_basis.value,
                ",".join(event.categories),
                getattr(event, "reference", None),
                iso(event.occurred_at),
                iso(event.recorded_at),
            ),
        )
