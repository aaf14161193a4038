"""Compliance findings: every recorded processing that breached the policy,
and who acknowledged each, when, with what note."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["FindingsModel"]


class FindingsModel(ReadModel):
    name: ClassVar[str] = "findings"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_findings", "kirjuri_finding_acks")
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_findings ("
        " notification_id {bigint} PRIMARY KEY, subject_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, rule TEXT NOT NULL, about_version INTEGER NOT NULL,"
        " about_event TEXT NOT NULL, detail TEXT NOT NULL, occurred_at TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kirjuri_findings_by_subject"
        " ON {p}kirjuri_findings (subject_id)",
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_finding_acks ("
        " notification_id {bigint} PRIMARY KEY, finding_id {bigint} NOT NULL,"
        " subject_id TEXT NOT NULL, acknowledged_by TEXT NOT NULL,"
        " note TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kirjuri_finding_acks_by_finding"
        " ON {p}kirjuri_finding_acks (finding_id)",
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

    @handles(ev.FindingAcknowledged)
    def _acknowledged(
        self, event: ev.FindingAcknowledged, cursor: Cursor, n: int
    ) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_finding_acks (notification_id, finding_id,"
            " subject_id, acknowledged_by, note, occurred_at, recorded_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                n,
                event.finding_id,
                str(event.originator_id),
                event.reported_by,
                event.note,
                iso(event.occurred_at),
                iso(event.recorded_at),
            ),
        )
