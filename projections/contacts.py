"""Contact state: who each subject is, what is held, and every switch.

Values stay sealed here; reports open them. Current values, consents,
objections and restriction are the latest rows by when they happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from projections.base import Batch, ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["ContactsModel"]


class ContactsModel(ReadModel):
    name: ClassVar[str] = "contacts"
    tables: ClassVar[tuple[str, ...]] = (
        "kirjuri_subjects",
        "kirjuri_values",
        "kirjuri_switches",
    )
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_subjects ("
        " subject_id TEXT PRIMARY KEY, registered_at TEXT, recorded_at TEXT,"
        " source TEXT, company_name TEXT, business_id TEXT, left_at TEXT,"
        " erased_at TEXT, last_version INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_values ("
        " subject_id TEXT NOT NULL, version INTEGER NOT NULL, category TEXT NOT NULL,"
        " sealed TEXT NOT NULL, source TEXT NOT NULL, purposes TEXT NOT NULL,"
        " occurred_at TEXT NOT NULL, rectified INTEGER NOT NULL,"
        " PRIMARY KEY (subject_id, version))",
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_switches ("
        " subject_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL,"
        " name TEXT NOT NULL, active INTEGER NOT NULL, occurred_at TEXT NOT NULL,"
        " channel TEXT, evidence TEXT, PRIMARY KEY (subject_id, version))",
    )

    def apply_batch(self, cursor: Cursor, batch: Batch) -> None:
        super().apply_batch(cursor, batch)
        # Each subject's newest version, once per batch rather than per event.
        newest = {
            str(n.originator_id): n.originator_version
            for n, event in batch
            if not isinstance(event, ev.RECEIPT_TYPES)
        }
        cursor.executemany(
            "UPDATE {p}kirjuri_subjects SET last_version = %s WHERE subject_id = %s",
            [(version, subject) for subject, version in newest.items()],
        )

    @handles(ev.SubjectRegistered)
    def _registered(self, event: ev.SubjectRegistered, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_subjects (subject_id, registered_at, recorded_at,"
            " source, company_name, business_id, last_version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                str(event.originator_id),
                iso(event.occurred_at),
                iso(event.recorded_at),
                event.source,
                event.company_name.model_dump_json(),
                event.business_id.model_dump_json() if event.business_id else None,
                event.originator_version,
            ),
        )

    @handles(ev.DataCollected)
    def _collected(self, event: ev.DataCollected, cursor: Cursor, n: int) -> None:
        self._value(cursor, event, event.purposes, rectified=False)

    @handles(ev.DataRectified)
    def _rectified(self, event: ev.DataRectified, cursor: Cursor, n: int) -> None:
        self._value(cursor, event, (), rectified=True)

    def _value(
        self,
        cursor: Cursor,
        event: ev.DataCollected | ev.DataRectified,
        purposes: tuple[str, ...],
        *,
        rectified: bool,
    ) -> None:
        subject = str(event.originator_id)
        cursor.execute(
            "INSERT INTO {p}kirjuri_values (subject_id, version, category, sealed,"
            " source, purposes, occurred_at, rectified)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                subject,
                event.originator_version,
                event.category,
                event.value.model_dump_json(),
                event.source,
                ",".join(purposes),
                iso(event.occurred_at),
                int(rectified),
            ),
        )

    def _switch(
        self,
        cursor: Cursor,
        n: int,
        event: ev.SubjectEvent,
        kind: str,
        name: str,
        *,
        active: bool,
        channel: str | None = None,
        evidence: str | None = None,
    ) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_switches (subject_id, version, kind, name, active,"
            " occurred_at, channel, evidence) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                str(event.originator_id),
                event.originator_version,
                kind,
                name,
                int(active),
                iso(event.occurred_at),
                channel,
                evidence,
            ),
        )

    @handles(ev.SubjectInformed)
    def _informed(self, event: ev.SubjectInformed, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "informed",
            "art14",
            active=True,
            channel=event.channel,
            evidence=event.reference,
        )

    @handles(ev.ConsentGiven)
    def _consent(self, event: ev.ConsentGiven, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "consent",
            event.purpose,
            active=True,
            channel=event.channel,
            evidence=event.evidence,
        )

    @handles(ev.ConsentWithdrawn)
    def _withdrawn(self, event: ev.ConsentWithdrawn, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "consent",
            event.purpose,
            active=False,
            channel=event.channel,
            evidence=event.evidence,
        )

    @handles(ev.ObjectionRecorded)
    def _objection(self, event: ev.ObjectionRecorded, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "objection",
            event.scope.value,
            active=True,
            channel=event.channel,
        )

    @handles(ev.ObjectionLifted)
    def _lifted(self, event: ev.ObjectionLifted, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "objection",
            event.scope.value,
            active=False,
            channel=event.channel,
        )

    @handles(ev.ProcessingRestricted)
    def _restricted(
        self, event: ev.ProcessingRestricted, cursor: Cursor, n: int
    ) -> None:
        self._switch(
            cursor,
            n,
            event,
            "restriction",
            "processing",
            active=True,
            evidence=event.ground.value,
        )

    @handles(ev.RestrictionLifted)
    def _unrestricted(
        self, event: ev.RestrictionLifted, cursor: Cursor, n: int
    ) -> None:
        self._switch(cursor, n, event, "restriction", "processing", active=False)

    @handles(ev.RelationshipStarted)
    def _started(self, event: ev.RelationshipStarted, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "relationship",
            "customer",
            active=True,
            evidence=event.reference,
        )

    @handles(ev.RelationshipEnded)
    def _ended(self, event: ev.RelationshipEnded, cursor: Cursor, n: int) -> None:
        self._switch(
            cursor,
            n,
            event,
            "relationship",
            "customer",
            active=False,
            evidence=event.reference,
        )

    @handles(ev.SubjectErased)
    def _erased(self, event: ev.SubjectErased, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_subjects SET erased_at = %s, last_version = %s"
            " WHERE subject_id = %s",
            (
                iso(event.occurred_at),
                event.originator_version,
                str(event.originator_id),
            ),
        )

    @handles(ev.SubjectLeftCompany)
    def _left(self, event: ev.SubjectLeftCompany, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_subjects SET left_at = %s WHERE subject_id = %s",
            (iso(event.occurred_at), str(event.originator_id)),
        )
