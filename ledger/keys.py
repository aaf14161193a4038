"""Data keys: one per subject and retention class, wrapped by the master key.

Destroying a subject's data key of a retention class makes every value it
sealed unreadable while the events stay whole (crypto-shredding). Data keys
are stored wrapped (AES-256-GCM under the master key, bound to subject and
class); unwrapped keys are kept only in a bounded in-process cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    KeyDestroyed,
    KeyUnavailable,
)
from ledger.keyfiles import (
    KEY_BYTES,
    KeyFileError,
    MasterKey,
    decode_key_text,
    missing_master_key,
    read_master_key,
    sync_folder,
    write_key_file,
)
from ledger.sealed import sealed_keys

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ledger.events import SubjectEvent
    from ledger.storage import Cursor, Database

# The master key and key files live in ledger.keyfiles; named here too.
__all__ = [
    "KEY_BYTES",
    "KEY_TABLE_DDL",
    "KeyFileError",
    "KeyStore",
    "MasterKey",
    "decode_key_text",
    "missing_master_key",
    "read_master_key",
    "sync_folder",
    "write_key_file",
]

# How long an unwrapped data key is used from memory before it is read again,
# so that an erasure by another process takes effect here within this time.
KEY_CACHE_SECONDS = 30.0
# The ledger-wide secret for blind indexes lives in the key table too, under
# this reserved subject id, so it is wrapped and rotated like any data key.
LEDGER_SUBJECT = UUID(int=0)
INDEX_KEY_CLASS = "_blind_index"
# A key wrapped under the master key only to tell, at start, that the master
# key given is the one the ledger's keys are wrapped under.
CHECK_KEY_CLASS = "_master_check"
# Names in the key state table.
ROTATION = "rotation"
# Subjects whose keys one preload query asks for.
PRELOAD_CHUNK = 500
PENDING_SCRUB = "pending_scrub"

KEY_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_data_keys ("
    " subject_id TEXT NOT NULL,"
    " retention_class TEXT NOT NULL,"
    " wrapped {blob},"
    " master_key_id TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " destroyed_at TEXT,"
    " PRIMARY KEY (subject_id, retention_class))",
    # Work the key store must finish after a crash or a busy reader: a
    # master key rotation under way, a scrub still pending.
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_key_state"
    " (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


class KeyStore:
    """Creates, finds and destroys data keys in the key table.

    A new data key stays in memory (pending) until an event that uses it is
    saved (`store_for`): a refused command thereby leaves no key behind."""

    def __init__(self, database: Database, master: MasterKey, cache_size: int = 4096):
        self.database = database
        self.master = master
        self._cache: OrderedDict[tuple[UUID, str], tuple[bytes, AESGCM]] = OrderedDict()
        self._cache_size = cache_size
        self._loaded: dict[tuple[UUID, str], float] = {}
        # Keys made here and not stored yet, and subjects made here (they
        # have no stored keys to look up).
        self._pending: dict[tuple[UUID, str], bytes] = {}
        self._new_subjects: set[UUID] = set()

    def note_new_subject(self, subject_id: UUID) -> None:
        """A subject made by this process: it has no stored keys yet."""
        self._new_subjects.add(subject_id)

    def store_for(self, events: Iterable[SubjectEvent]) -> list[tuple[str, str, bytes]]:
        """Store the pending keys these events' sealed values use, in one
        transaction, and forget the other pending keys (their commands were
        refused). Returns what was stored, for `unstore` if the save fails."""
        needed = {
            (event.originator_id, retention)
            for event in events
            for retention in sealed_keys(event)
        }
        pending, fresh = self._pending, self._new_subjects
        self._pending, self._new_subjects = {}, set()
        for key in pending.keys() - needed:
            self._forget(*key)
        rows = [
            (str(subject), retention, wrapped, self.master.key_id, _now())
            for (subject, retention), wrapped in pending.items()
            if (subject, retention) in needed
        ]
        if not rows:
            return []
        try:
            with self.database.transaction() as cursor:
                cursor.executemany(
                    "INSERT INTO {p}kirjuri_data_keys (subject_id, retention_class,"
                    " wrapped, master_key_id, created_at) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (subject_id, retention_class) DO NOTHING",
                    rows,
                )
                # A subject made here cannot clash; another may have been
                # given the same class's key by another process first.
                if any(
                    self._select(cursor, UUID(subject), retention) != wrapped
                    for subject, retention, wrapped, *_ in rows
                    if UUID(subject) not in fresh
                ):
                    raise ConcurrencyConflict(
                        "another writer created this subject's data key first; retry"
                    )
        except BaseException:
            # Not stored: no value may be sealed under these keys any more.
            for subject, retention, *_ in rows:
                self._forget(UUID(subject), retention)
            raise
        return [row[:3] for row in rows]

    def unstore(self, stored: list[tuple[str, str, bytes]]) -> None:
        """Remove keys `store_for` wrote when their events were not saved."""
        if not stored:
            return
        with self.database.transaction() as cursor:
            cursor.executemany(
                "DELETE FROM {p}kirjuri_data_keys WHERE subject_id = %s"
                " AND retention_class = %s AND wrapped = %s",
                stored,
            )
        for subject, retention, _ in stored:
            self._forget(UUID(subject), retention)

    def create_tables(self) -> None:
        self.database.execute_script(KEY_TABLE_DDL)

    def aead_for(self, subject_id: UUID, retention_class: str) -> AESGCM:
        """The subject's data key of a class, made (pending) on first use."""
        return self._key(subject_id, retention_class)[1]

    def _key(self, subject_id: UUID, retention_class: str) -> tuple[bytes, AESGCM]:
        cached = self._cached(subject_id, retention_class)
        if cached is not None:
            return cached
        key = (subject_id, retention_class)
        wrapped = self._pending.get(key)
        if wrapped is None and subject_id not in self._new_subjects:
            wrapped = self._stored(subject_id, retention_class)
        if wrapped is None:
            wrapped = self.master.wrap(
                os.urandom(KEY_BYTES), subject_id, retention_class
            )
            self._pending[key] = wrapped
        return self._remember(subject_id, retention_class, wrapped)

    def existing_aead(self, subject_id: UUID, retention_class: str) -> AESGCM:
        """The data key to open a value. Raises `KeyDestroyed` only when its
        destruction is recorded; a key never made or that does not unwrap
        is `KeyUnavailable`, an error, never taken for an erasure."""
        cached = self._cached(subject_id, retention_class)
        if cached is not None:
            return cached[1]
        wrapped = self._pending.get((subject_id, retention_class))
        if wrapped is None:
            wrapped = self._stored(subject_id, retention_class)
        if wrapped is None:
            raise KeyUnavailable(
                f"data key {retention_class} of subject {subject_id} is missing "
                "from the key table"
            )
        return self._remember(subject_id, retention_class, wrapped)[1]

    def preload(self, wanted: Iterable[tuple[UUID, str]]) -> None:
        """Read many subjects' live data keys at once into the cache (a
        rebuild or catch-up opening a batch's values would otherwise read
        them one query each). Keys not found or destroyed are left to
        `existing_aead`, which says why."""
        missing = list(dict.fromkeys(k for k in wanted if self._cached(*k) is None))[
            : self._cache_size // 2
        ]
        for start in range(0, len(missing), PRELOAD_CHUNK):
            chunk = missing[start : start + PRELOAD_CHUNK]
            subjects = sorted({str(subject) for subject, _ in chunk})
            marks = ", ".join(["%s"] * len(subjects))
            with self.database.transaction(commit=False) as cursor:
                cursor.execute(
                    "SELECT subject_id, retention_class, wrapped"
                    " FROM {p}kirjuri_data_keys WHERE destroyed_at IS NULL"
                    f" AND wrapped IS NOT NULL AND subject_id IN ({marks})",
                    subjects,
                )
                rows = cursor.fetchall()
            chunk_keys = set(chunk)
            for row in rows:
                key = (UUID(row["subject_id"]), row["retention_class"])
                if key in chunk_keys:
                    with contextlib.suppress(KeyUnavailable):
                        # Does not unwrap: `existing_aead` reads it again and
                        # fails that value alone, as a recorded fault.
                        self._remember(*key, bytes(row["wrapped"]))

    def _stored(self, subject_id: UUID, retention_class: str) -> bytes | None:
        """A stored wrapped key, None if there is none; `KeyDestroyed` if its
        destruction is recorded (no value of that class can be sealed or
        opened for the subject any more)."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT wrapped, destroyed_at FROM {p}kirjuri_data_keys"
                " WHERE subject_id = %s AND retention_class = %s",
                (str(subject_id), retention_class),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        if row["destroyed_at"] is not None or row["wrapped"] is None:
            raise KeyDestroyed(
                f"data key {retention_class} of subject {subject_id} was destroyed"
                f" on {str(row['destroyed_at'])[:10]}"
            )
        return bytes(row["wrapped"])

    def index_key(self) -> bytes:
        """The ledger-wide blind-index secret (stored on first use)."""
        cached = self._cached(LEDGER_SUBJECT, INDEX_KEY_CLASS)
        if cached is not None:
            return cached[0]
        wrapped = self._stored_key(LEDGER_SUBJECT, INDEX_KEY_CLASS)
        return self._remember(LEDGER_SUBJECT, INDEX_KEY_CLASS, wrapped)[0]

    def check_master(self) -> None:
        """Refuse a master key that does not open this ledger (exit 78).

        A check key, wrapped under the master key at first use, is unwrapped
        at every start; a ledger made before it existed is checked on any
        stored key first, then given its check key."""
        with self.database.transaction(commit=False) as cursor:
            wrapped = self._select(cursor, LEDGER_SUBJECT, CHECK_KEY_CLASS)
            row = None
            if wrapped is None:
                cursor.execute(
                    "SELECT subject_id, retention_class, wrapped"
                    " FROM {p}kirjuri_data_keys WHERE wrapped IS NOT NULL LIMIT 1"
                )
                row = cursor.fetchone()
        try:
            if row is not None:
                self.master.unwrap(
                    bytes(row["wrapped"]),
                    UUID(row["subject_id"]),
                    row["retention_class"],
                )
            if wrapped is None:
                # Stored now; another process starting at once may win.
                wrapped = self._stored_key(LEDGER_SUBJECT, CHECK_KEY_CLASS)
            self.master.unwrap(wrapped, LEDGER_SUBJECT, CHECK_KEY_CLASS)
        except KeyUnavailable:
            raise ConfigurationError(
                f"{self.master.origin}: this master key does not open the ledger "
                "(its data keys are wrapped under another one)"
            ) from None

    def _stored_key(self, subject_id: UUID, retention_class: str) -> bytes:
        """A ledger-wide key, stored at once (whichever process wins)."""
        with self.database.transaction() as cursor:
            wrapped = self._select(cursor, subject_id, retention_class)
            if wrapped is None:
                cursor.execute(
                    "INSERT INTO {p}kirjuri_data_keys (subject_id, retention_class,"
                    " wrapped, master_key_id, created_at) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (subject_id, retention_class) DO NOTHING",
                    (
                        str(subject_id),
                        retention_class,
                        self.master.wrap(
                            os.urandom(KEY_BYTES), subject_id, retention_class
                        ),
                        self.master.key_id,
                        _now(),
                    ),
                )
                wrapped = self._select(cursor, subject_id, retention_class)
        if wrapped is None:
            raise KeyUnavailable(f"ledger key {retention_class} was destroyed")
        return wrapped

    def live_classes(self, subject_id: UUID) -> list[str]:
        """The retention classes of a subject whose data key still exists."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT retention_class FROM {p}kirjuri_data_keys"
                " WHERE subject_id = %s AND wrapped IS NOT NULL",
                (str(subject_id),),
            )
            return sorted(row["retention_class"] for row in cursor.fetchall())

    def subjects_with_live_keys(self) -> list[UUID]:
        """Every data subject that still holds a data key (sweep, report)."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT DISTINCT subject_id FROM {p}kirjuri_data_keys"
                " WHERE wrapped IS NOT NULL AND subject_id <> %s",
                (str(LEDGER_SUBJECT),),
            )
            return sorted(UUID(row["subject_id"]) for row in cursor.fetchall())

    def master_key_ids_in_use(self) -> set[str]:
        """The ids of the master keys live data keys are wrapped under."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT DISTINCT master_key_id FROM {p}kirjuri_data_keys"
                " WHERE wrapped IS NOT NULL"
            )
            return {row["master_key_id"] for row in cursor.fetchall()}

    def has_keys(self) -> bool:
        """Whether any data key was ever stored (a ledger a key belongs to)."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute("SELECT 1 AS one FROM {p}kirjuri_data_keys LIMIT 1")
            return cursor.fetchone() is not None

    def begin_rotation(self, record: dict[str, str]) -> None:
        """Say, before the new key file is written, where it goes; the next
        start reads this to finish or undo a rotation cut short. Refused
        while another rotation is under way (its record is never lost)."""
        value = json.dumps(record)
        with self.database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO {p}kirjuri_key_state (name, value) VALUES (%s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (ROTATION, value),
            )
            cursor.execute(
                "SELECT value FROM {p}kirjuri_key_state WHERE name = %s", (ROTATION,)
            )
            if cursor.fetchone()["value"] != value:
                raise ConcurrencyConflict(
                    "another master key rotation is under way; retry when it ends"
                )

    def rotation(self) -> dict[str, str] | None:
        """The rotation under way (``begin_rotation``), if any."""
        value = self._state(ROTATION)
        return None if value is None else dict(json.loads(value))

    def end_rotation(self) -> None:
        self._set_state(ROTATION, None)

    def rotate(self, new: MasterKey) -> int:
        """Re-wrap every live data key under ``new`` in one transaction; the
        old wrapped forms are then scrubbed from the key table."""
        old = self.master
        with self.database.transaction() as cursor:
            cursor.execute(
                "SELECT subject_id, retention_class, wrapped FROM {p}kirjuri_data_keys"
                " WHERE wrapped IS NOT NULL"
            )
            rewrapped = []
            for row in cursor.fetchall():
                subject, retention = UUID(row["subject_id"]), row["retention_class"]
                key = old.unwrap(bytes(row["wrapped"]), subject, retention)
                rewrapped.append(
                    (
                        new.wrap(key, subject, retention),
                        new.key_id,
                        row["subject_id"],
                        retention,
                    )
                )
            if self.database.backend == "sqlite":
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.executemany(
                "UPDATE {p}kirjuri_data_keys SET wrapped = %s, master_key_id = %s"
                " WHERE subject_id = %s AND retention_class = %s",
                rewrapped,
            )
        self.master = new
        self.scrub()
        return len(rewrapped)

    def destroy(self, subject_id: UUID, classes: Iterable[str]) -> bool:
        """Destroy data keys for good: the row keeps only that it was destroyed.

        Freed bytes are overwritten (SQLite secure_delete, then a WAL
        checkpoint that truncates the log; PostgreSQL VACUUM FULL of the key
        table), so no copy the master key opens is left in the database.
        False if a reader keeps that from happening now: the scrub is then
        pending (``scrub_pending``)."""
        wanted = sorted(set(classes))
        if not wanted:
            return True
        placeholders = ", ".join(["%s"] * len(wanted))
        with self.database.transaction() as cursor:
            if self.database.backend == "sqlite":
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                "UPDATE {p}kirjuri_data_keys SET wrapped = NULL, destroyed_at = %s"
                f" WHERE subject_id = %s AND retention_class IN ({placeholders})",
                (_now(), str(subject_id), *wanted),
            )
            # Remembered with the destruction: a crash before the scrub
            # leaves it pending too.
            self._put_state(cursor, PENDING_SCRUB, _now())
        for retention_class in wanted:
            self._cache.pop((subject_id, retention_class), None)
        return self.scrub()

    def scrub(self, attempts: int | None = None) -> bool:
        """Overwrite freed copies of old wrapped keys; remembered as pending
        when a reader keeps it from happening now."""
        tries = {} if attempts is None else {"attempts": attempts}
        if not self.database.scrub("kirjuri_data_keys", **tries):
            self._set_state(PENDING_SCRUB, _now())
            return False
        self._set_state(PENDING_SCRUB, None)
        return True

    def is_scrub_pending(self) -> bool:
        return self._state(PENDING_SCRUB) is not None

    def scrub_pending(self, attempts: int | None = None) -> bool | None:
        """Finish a scrub a reader held up: None if none was pending, else
        whether it is done now."""
        if self._state(PENDING_SCRUB) is None:
            return None
        return self.scrub(attempts)

    def _cached(
        self, subject_id: UUID, retention_class: str
    ) -> tuple[bytes, AESGCM] | None:
        key = (subject_id, retention_class)
        entry = self._cache.get(key)
        if entry is None:
            return None
        if time.monotonic() - self._loaded[key] > KEY_CACHE_SECONDS:
            # Another process may have destroyed it (erasure): read it again.
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return entry

    def _remember(
        self, subject_id: UUID, retention_class: str, wrapped: bytes
    ) -> tuple[bytes, AESGCM]:
        raw = self.master.unwrap(wrapped, subject_id, retention_class)
        entry = (raw, AESGCM(raw))
        self._cache[(subject_id, retention_class)] = entry
        self._loaded[(subject_id, retention_class)] = time.monotonic()
        if len(self._cache) > self._cache_size:
            oldest, _ = self._cache.popitem(last=False)
            self._loaded.pop(oldest, None)
        return entry

    def _forget(self, subject_id: UUID, retention_class: str) -> None:
        self._cache.pop((subject_id, retention_class), None)
        self._loaded.pop((subject_id, retention_class), None)

    def _state(self, name: str) -> str | None:
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT value FROM {p}kirjuri_key_state WHERE name = %s", (name,)
            )
            row = cursor.fetchone()
        return None if row is None else str(row["value"])

    def _set_state(self, name: str, value: str | None) -> None:
        with self.database.transaction() as cursor:
            if value is None:
                cursor.execute(
                    "DELETE FROM {p}kirjuri_key_state WHERE name = %s", (name,)
                )
                return
            self._put_state(cursor, name, value)

    @staticmethod
    def _put_state(cursor: Cursor, name: str, value: str) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_key_state (name, value) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    @staticmethod
    def _select(cursor: Cursor, subject_id: UUID, retention_class: str) -> bytes | None:
        cursor.execute(
            "SELECT wrapped FROM {p}kirjuri_data_keys"
            " WHERE subject_id = %s AND retention_class = %s",
            (str(subject_id), retention_class),
        )
        row = cursor.fetchone()
        if row is None or row["wrapped"] is None:
            return None
        return bytes(row["wrapped"])


def _now() -> str:
    return datetime.now(UTC).isoformat()
