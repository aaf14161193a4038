"""The ledger: the eventsourcing application that stores subjects' events.

Persistence is the library's own (SQLite or PostgreSQL, chosen by the
environment the bootstrap builds); Kirjuri adds the pydantic mapper, the key
store for personal values and the policy stream.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent
from eventsourcing.utils import Environment

from ledger import clock
from ledger.errors import ConcurrencyConflict, ConfigurationError, KeyDestroyed
from ledger.events import (
    POLICY_STREAM,
    PolicyAdopted,
    SubjectEvent,
    SubjectRegistered,
    receipt_stream,
)
from ledger.keys import KeyStore, MasterKey
from ledger.mapper import PydanticMapper
from ledger.policy import Policy, parse_policy
from ledger.sealed import Sealed, blind_index, open_value, seal_value
from ledger.snapshots import Snapshots
from ledger.standby import primary
from ledger.storage import Database, ddl_lock
from ledger.subject import SubjectState, fold, project_subject

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from eventsourcing.persistence import ApplicationRecorder, Notification
    from eventsourcing.utils import EnvType

    from ledger.standby import Standby

__all__ = ["Ledger"]


# Stored events kept for the read models' next catch-up in this process.
WRITTEN_KEPT = 20_000


class Ledger(Application[UUID]):
    """Subjects' event streams, their keys, and the policy in force."""

    name = "kirjuri"

    def __init__(self, env: dict[str, str], master: MasterKey) -> None:
        super().__init__(env)
        datastore = getattr(self.factory, "datastore", None)
        if datastore is None:
            raise ConfigurationError("PERSISTENCE_MODULE: backend has no datastore")
        self.database = Database(datastore)
        self.keys = KeyStore(self.database, master)
        self.keys.create_tables()
        self.state_snapshots = Snapshots(self.database, self.keys.index_key)
        self.state_snapshots.create_table()
        self._policy: Policy | None = None
        # Events this process stored, by notification id, until the read
        # models take them: decoding our own JSON again would only validate
        # once more what was validated when the events were made.
        self._written: dict[int, SubjectEvent] = {}
        # Set by the bootstrap when reads go to a hot standby.
        self.standby: Standby | None = None

    def construct_recorder(self) -> ApplicationRecorder:
        """The library's recorder, its tables made by one process at a time."""
        with ddl_lock(self.factory.datastore):  # type: ignore[attr-defined]
            return super().construct_recorder()

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """The settings the bootstrap gave, and nothing else.

        The library's own version merges ``os.environ`` over them, so that
        ``KIRJURI_SQLITE_DBNAME``, ``SQLITE_DBNAME``, ``PERSISTENCE_MODULE`` or
        ``POSTGRES_*`` left in a shell would send events to another database
        than the configured one."""
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_mapper(self) -> Mapper[UUID]:
        return cast("Mapper[UUID]", PydanticMapper())

    # The policy ------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            adopted = self.policy_history()
            if not adopted:
                raise ConfigurationError(
                    "no policy adopted: run 'kirjuri init --policy FILE'"
                )
            self._policy = parse_policy(adopted[-1].text, "adopted policy")
        return self._policy

    def policy_history(self) -> list[PolicyAdopted]:
        events = self.events.get(POLICY_STREAM)
        return [e for e in events if isinstance(e, PolicyAdopted)]

    def adopted_policies(self) -> list[Policy]:
        """Every policy ever adopted, oldest first (old events name their ids)."""
        return [parse_policy(p.text, "adopted policy") for p in self.policy_history()]

    def adopt_policy(self, text: str, origin: str) -> bool:
        """Record a policy if it differs from the one in force; True if new."""
        policy = parse_policy(text, origin)
        digest = hashlib.sha256(text.encode()).hexdigest()
        history = self.policy_history()
        if history and history[-1].digest == digest:
            return False
        now = clock.now()
        self.append(
            [
                PolicyAdopted(
                    originator_id=POLICY_STREAM,
                    originator_version=len(history) + 1,
                    occurred_at=now,
                    recorded_at=now,
                    text=text,
                    digest=digest,
                )
            ]
        )
        self._policy = policy
        return True

    # Streams ----------------------------------------------------------------

    def stream(self, subject_id: UUID) -> list[SubjectEvent]:
        return cast("list[SubjectEvent]", list(self.events.get(subject_id)))

    def exists(self, subject_id: UUID) -> bool:
        return any(True for _ in self.events.get(subject_id, limit=1))

    def is_subject(self, stream_id: UUID) -> bool:
        """A data subject's stream (it opens with its registration), not the
        policy's nor a receipt's."""
        first = list(self.events.get(stream_id, limit=1))
        return bool(first) and isinstance(first[0], SubjectRegistered)

    def stream_of(self, subject_id: UUID, *types: type[SubjectEvent]) -> list[Any]:
        """The stream's events of these types only, in order: rows of other
        types are never decoded (a long stream's consultations, say)."""
        names = [t.STORED_NAME for t in types]
        placeholders = ", ".join(["%s"] * len(names))
        return self._stored(
            f"originator_id = %s AND topic IN ({placeholders})"
            " ORDER BY originator_version",
            [self._stream_param(subject_id), *names],
        )

    def receipts(self, keys: Iterable[str]) -> dict[str, SubjectEvent]:
        """The receipts already stored for unique keys ("command:ID",
        "request:ID"), in one query whatever their number."""
        streams = {receipt_stream(key): key for key in keys}
        found: dict[str, SubjectEvent] = {}
        ids = list(streams)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            for event in self._stored(
                f"originator_version = 1 AND originator_id IN ({placeholders})",
                [self._stream_param(i) for i in chunk],
            ):
                found[streams[event.originator_id]] = event
        return found

    def _stream_param(self, stream_id: UUID) -> UUID | str:
        return stream_id if self.database.backend == "postgres" else stream_id.hex

    def sequences_of(self, stream_id: UUID, versions: Sequence[int]) -> list[int]:
        """Where a stream's events of these versions stand in the log, read
        from the events table (no read model need have applied them)."""
        if not versions:
            return []
        table = getattr(self.recorder, "events_table_name", "stored_events")
        column = "rowid" if self.database.backend == "sqlite" else "notification_id"
        marks = ", ".join(["%s"] * len(versions))
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT {column} AS sequence FROM {{p}}{table}"
                f" WHERE originator_id = %s AND originator_version IN ({marks})"
                f" ORDER BY {column}",
                [self._stream_param(stream_id), *versions],
            )
            return [int(row["sequence"]) for row in cursor.fetchall()]

    def _stored(self, where: str, params: list[Any]) -> list[SubjectEvent]:
        """Events of the stored rows matching ``where``, decoded by our mapper."""
        table = getattr(self.recorder, "events_table_name", "stored_events")
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT originator_id, originator_version, topic, state"
                f" FROM {{p}}{table} WHERE {where}",
                params,
            )
            rows = cursor.fetchall()
        return [
            cast(
                "SubjectEvent",
                self.mapper.to_domain_event(
                    StoredEvent(
                        originator_id=UUID(str(row["originator_id"])),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                ),
            )
            for row in rows
        ]

    def load(self, subject_id: UUID) -> SubjectState:
        """The subject's state from its stored events (empty if it has none):
        its snapshot, if any, and the events after it.

        Not through the library's repository: its cache hands out a deep
        copy of each state it keeps, which costs more than reading the
        snapshot and folding what follows (and a bulk run keeps its own)."""
        snapshot = self.state_snapshots.get(subject_id)
        if snapshot is None:
            return self.load_from_events(subject_id)
        tail = self.events.get(subject_id, gt=snapshot.version)
        state = project_subject(snapshot, cast("Iterable[SubjectEvent]", tail))
        return state or snapshot

    def fast_forward(self, state: SubjectState) -> SubjectState:
        """A state with the events stored after its version folded in."""
        tail = self.events.get(state.id, gt=state.version)
        return project_subject(state, cast("Iterable[SubjectEvent]", tail)) or state

    def load_from_events(self, subject_id: UUID) -> SubjectState:
        """The subject's state folded from its first event (no snapshot)."""
        events = cast("Iterable[SubjectEvent]", self.events.get(subject_id))
        return project_subject(None, events) or SubjectState(subject_id)

    def check_snapshots(self) -> list[UUID]:
        """Subjects whose snapshot is not what their events fold to."""

        def fold(subject_id: UUID, version: int) -> SubjectState:
            events = self.events.get(subject_id, lte=version)
            state = project_subject(None, cast("Iterable[SubjectEvent]", events))
            return state or SubjectState(subject_id)

        return self.state_snapshots.check(fold)

    def state_as_of(
        self,
        subject_id: UUID,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> SubjectState:
        return fold(subject_id, self.stream(subject_id), as_of=as_of, known_at=known_at)

    def append(self, events: Sequence[SubjectEvent]) -> list[int]:
        """Store events atomically. A clash on (stream, version) means another
        writer won: a subject's next version, or a receipt's unique key.

        New data keys are stored with the first events that use them, just
        before those events (taken back if the events clash; after any other
        failure the events may have been committed, so the keys stay)."""
        stored = self.keys.store_for(events)
        try:
            # The event store's put: what Application.save does for events,
            # without its per-object protocol checks (our events are known).
            with primary(writes=True):
                recordings = self.events.put(events)
        except IntegrityError as err:
            self.keys.unstore(stored)
            raise ConcurrencyConflict(
                "another writer appended to this subject first; retry"
            ) from err
        ids = [r.notification.id for r in recordings]
        if len(self._written) > WRITTEN_KEPT:
            self._written.clear()  # nobody catches up here: decode instead
        self._written.update(zip(ids, events, strict=True))
        return ids

    def notifications(self, after: int | None, limit: int) -> Sequence[Notification]:
        """Stored events in log order after a sequence (None: from the very first,
        whatever its number, so verify also sees rows forged below 1)."""
        return self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=after is None
        )

    def to_event(self, notification: Notification) -> SubjectEvent:
        """The stored event, decoded; one this process just stored is handed
        over as made (once: a second reader, verify's rebuild among them,
        decodes the stored row)."""
        written = self._written.pop(notification.id, None)
        if (
            written is not None
            and written.originator_id == notification.originator_id
            and written.originator_version == notification.originator_version
        ):
            return written
        return cast("SubjectEvent", self.mapper.to_domain_event(notification))

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    # Personal values -------------------------------------------------------

    def seal(self, subject_id: UUID, category: str, value: str) -> Sealed:
        retention = self.policy.retention_of(category).id
        aead = self.keys.aead_for(subject_id, retention)
        return seal_value(aead, subject_id, retention, category, value)

    def open(self, subject_id: UUID, category: str, sealed: Sealed) -> str:
        aead = self.keys.existing_aead(subject_id, sealed.key)
        return open_value(aead, subject_id, category, sealed)

    def open_or_none(
        self, subject_id: UUID, category: str, sealed: Sealed | None
    ) -> str | None:
        """A stored value in clear, or None when absent or erased (its key's
        destruction recorded); a key that is missing or does not unwrap raises."""
        if sealed is None:
            return None
        try:
            return self.open(subject_id, category, sealed)
        except KeyDestroyed:
            return None

    def lookup_hash(self, category: str, value: str) -> str:
        return blind_index(self.keys.index_key(), category, value)

    def lookup_of(self, subject_id: UUID, category: str, sealed: Sealed) -> str | None:
        """The blind index of a stored value, or None once its key is destroyed:
        erasure thereby also removes the subject from the index."""
        if not self.policy.category(category).lookup:
            return None
        value = self.open_or_none(subject_id, category, sealed)
        return None if value is None else self.lookup_hash(category, value)
