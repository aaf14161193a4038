"""Compliance findings: every recorded processing that breached the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["FindingsModel"]


class FindingsModel(ReadModel):
    name: ClassVar[str] = "findings"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_findings",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_findings ("
        " notification_id {bigint} PRIMARY KEY, subject_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, rule TEXT NOT NULL, about_version INTEGER NOT NULL,"
        " about_event TEXT NOT NULL, detail TEXT NOT NULL, occurred_at TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kirjuri_findings_by_subject"
        " ON {p}kirjuri_findings (subject_id)",
    )

    @handles(ev.FindingRaised)
    def _raised(self, event: ev.FindingRaised, cursor: Cursor, n: int) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_findings (notification_id, subject_id, version,"
            " rule, about_version, about_event, detail, occurred_at, recorded_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                n,
                str(event.originator_id),
                event.originator_version,
                event.rule,
                event.about_version,
                event.about_event,
                event.detail,
                iso(event.occurred_at),
                iso(event.recorded_at),
            ),
        )
