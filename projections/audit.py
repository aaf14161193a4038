"""The audit index: one row per event, its clear metadata only.

`kirjuri history` filters this index by subject, recipient, purpose,
category, event type, country and time; it never holds a personal value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from projections.base import ReadModel, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["AuditModel", "event_metadata"]


def event_metadata(event: ev.SubjectEvent) -> dict[str, str | None]:
    """The clear, queryable fields of any event."""
    # A pydantic model keeps its field values in __dict__: reading them there
    # avoids a raised AttributeError for every field an event type lacks.
    fields = event.__dict__
    categories = fields.get("categories")
    purposes = fields.get("purposes")
    basis = fields.get("legal_basis")
    safeguard = fields.get("safeguard")
    return {
        "categories": ",".join(categories) if categories else fields.get("category"),
        "purposes": ",".join(purposes) if purposes else fields.get("purpose"),
        "recipient": fields.get("recipient"),
        "country": fields.get("country"),
        "legal_basis": basis.value if basis is not None else None,
        "safeguard": safeguard.value if safeguard is not None else None,
        "reference": fields.get("reference") or fields.get("request_id"),
        "detail": fields.get("rule") or fields.get("activity"),
    }


class AuditModel(ReadModel):
    name: ClassVar[str] = "audit"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_audit",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_audit ("
        " notification_id {bigint} PRIMARY KEY, subject_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, event_type TEXT NOT NULL,"
        " occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,"
        " reported_by TEXT NOT NULL, categories TEXT, purposes TEXT,"
        " recipient TEXT, country TEXT, legal_basis TEXT, safeguard TEXT,"
        " reference TEXT, detail TEXT)",
        "CREATE INDEX IF NOT EXISTS kirjuri_audit_by_subject"
        " ON {p}kirjuri_audit (subject_id, version)",
        "CREATE INDEX IF NOT EXISTS kirjuri_audit_by_time"
        " ON {p}kirjuri_audit (occurred_at)",
        "CREATE INDEX IF NOT EXISTS kirjuri_audit_by_recipient"
        " ON {p}kirjuri_audit (recipient, occurred_at)",
    )

    def apply(
        self, event: ev.SubjectEvent, cursor: Cursor, notification_id: int
    ) -> None:
        if event.originator_id == ev.POLICY_STREAM or isinstance(
            event, ev.RECEIPT_TYPES
        ):
            return  # no subject's event: the policy, a receipt
        meta = event_metadata(event)
        cursor.execute(
            "INSERT INTO {p}kirjuri_audit (notification_id, subject_id, version,"
            " event_type, occurred_at, recorded_at, reported_by, categories, purposes,"
            " recipient, country, legal_basis, safeguard, reference, detail)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                notification_id,
                str(event.originator_id),
                event.originator_version,
                event.STORED_NAME,
                iso(event.occurred_at),
                iso(event.recorded_at),
                event.reported_by,
                meta["categories"],
                meta["purposes"],
                meta["recipient"],
                meta["country"],
                meta["legal_basis"],
                meta["safeguard"],
                meta["reference"],
                meta["detail"],
            ),
        )
