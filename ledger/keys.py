"""Data keys: one per subject and retention class, wrapped by the master key.

Destroying a subject's data key of a retention class makes every value it
sealed unreadable while the events stay whole (crypto-shredding). Data keys
are stored wrapped (AES-256-GCM under the master key, bound to subject and
class); unwrapped keys are kept only in a bounded in-process cache.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import ConfigurationError, KeyUnavailable
from ledger.sealed import NONCE_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from ledger.storage import Cursor, Database

__all__ = [
    "KEY_TABLE_DDL",
    "KeyRow",
    "KeyStore",
    "MasterKey",
    "decode_key_text",
    "load_or_create_master_key",
]

KEY_BYTES = 32
# A key table row: subject, retention class, wrapped key, master key id, created.
KeyRow = tuple[str, str, bytes, str, str]
# How long an unwrapped data key is used from memory before it is read again,
# so that an erasure by another process takes effect here within this time.
KEY_CACHE_SECONDS = 30.0
# The ledger-wide secret for blind indexes lives in the key table too, under
# this reserved subject id, so it is wrapped and rotated like any data key.
LEDGER_SUBJECT = UUID(int=0)
INDEX_KEY_CLASS = "_blind_index"

KEY_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_data_keys ("
    " subject_id TEXT NOT NULL,"
    " retention_class TEXT NOT NULL,"
    " wrapped {blob},"
    " master_key_id TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " destroyed_at TEXT,"
    " PRIMARY KEY (subject_id, retention_class))",
)


def decode_key_text(text: str) -> bytes:
    """Key material given as 64 hex digits or as base64 (raises ValueError)."""
    text = text.strip()
    if len(text) == 64:
        return bytes.fromhex(text)
    return base64.b64decode(text, validate=True)


class MasterKey:
    """The key that wraps data keys; its id is a digest, never the key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ConfigurationError(
                f"KIRJURI_MASTER_KEY: must be {KEY_BYTES} bytes, got {len(key)}"
            )
        self.aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"kirjuri master key id\x00" + key).hexdigest()[
            :16
        ]

    @classmethod
    def from_text(cls, text: str, origin: str) -> MasterKey:
        """Accept 64 hex digits or base64 of 32 bytes."""
        try:
            raw = decode_key_text(text)
        except (ValueError, binascii.Error) as err:
            raise ConfigurationError(
                f"{origin}: not hex or base64 of {KEY_BYTES} bytes"
            ) from err
        try:
            return cls(raw)
        except ConfigurationError as err:
            raise ConfigurationError(f"{origin}: must be {KEY_BYTES} bytes") from err

    def wrap(self, data_key: bytes, subject_id: UUID, retention_class: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = f"{subject_id}|{retention_class}".encode()
        return nonce + self.aead.encrypt(nonce, data_key, aad)

    def unwrap(self, wrapped: bytes, subject_id: UUID, retention_class: str) -> bytes:
        aad = f"{subject_id}|{retention_class}".encode()
        try:
            return self.aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag as err:
            raise KeyUnavailable(
                f"data key {retention_class} of subject {subject_id} does not "
                "unwrap with this master key"
            ) from err


def load_or_create_master_key(path: Path, *, create: bool) -> tuple[MasterKey, bool]:
    """Read the key file, or create it 0600; says whether it was created."""
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigurationError(
                f"{path}: master key file is readable by others (mode {mode:o}); "
                "chmod 600 it"
            )
        return MasterKey.from_text(path.read_text(), str(path)), False
    if not create:
        raise ConfigurationError(
            f"{path}: no master key file; run 'kirjuri init' or set KIRJURI_MASTER_KEY"
        )
    key = os.urandom(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    return MasterKey(key), True


class KeyStore:
    """Creates, finds and destroys data keys in the key table."""

    def __init__(self, database: Database, master: MasterKey, cache_size: int = 4096):
        self.database = database
        self.master = master
        self._cache: OrderedDict[tuple[UUID, str], tuple[bytes, AESGCM]] = OrderedDict()
        self._cache_size = cache_size
        self._loaded: dict[tuple[UUID, str], float] = {}

    def fresh_key(
        self, subject_id: UUID, retention_class: str
    ) -> tuple[KeyRow, AESGCM]:
        """A new data key made in memory, for a subject made in a run's batch;
        the run stores the row (`store_new`) just before the batch's events."""
        raw = os.urandom(KEY_BYTES)
        wrapped = self.master.wrap(raw, subject_id, retention_class)
        row = (str(subject_id), retention_class, wrapped, self.master.key_id, _now())
        return row, self._remember(subject_id, retention_class, wrapped, raw)[1]

    def store_new(self, rows: Sequence[KeyRow]) -> None:
        """Store a batch's new keys in one transaction."""
        if rows:
            with self.database.transaction() as cursor:
                cursor.executemany(
                    "INSERT INTO {p}kirjuri_data_keys (subject_id, retention_class,"
                    " wrapped, master_key_id, created_at) VALUES (%s, %s, %s, %s, %s)",
                    rows,
                )

    def create_tables(self) -> None:
        self.database.execute_script(KEY_TABLE_DDL)

    def aead_for(self, subject_id: UUID, retention_class: str) -> AESGCM:
        """The subject's data key of a class, created on first use."""
        return self._key(subject_id, retention_class)[1]

    def _key(self, subject_id: UUID, retention_class: str) -> tuple[bytes, AESGCM]:
        cached = self._cached(subject_id, retention_class)
        if cached is not None:
            return cached
        with self.database.transaction() as cursor:
            wrapped = self._select(cursor, subject_id, retention_class)
            if wrapped is None:
                fresh = self.master.wrap(
                    os.urandom(KEY_BYTES), subject_id, retention_class
                )
                cursor.execute(
                    "INSERT INTO {p}kirjuri_data_keys (subject_id, retention_class,"
                    " wrapped, master_key_id, created_at) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (subject_id, retention_class) DO NOTHING",
                    (
                        str(subject_id),
                        retention_class,
                        fresh,
                        self.master.key_id,
                        _now(),
                    ),
                )
                wrapped = self._select(cursor, subject_id, retention_class)
        return self._remember(subject_id, retention_class, wrapped)

    def existing_aead(self, subject_id: UUID, retention_class: str) -> AESGCM:
        """The data key to open a value; raises if it was never made or destroyed."""
        cached = self._cached(subject_id, retention_class)
        if cached is not None:
            return cached[1]
        with self.database.transaction(commit=False) as cursor:
            wrapped = self._select(cursor, subject_id, retention_class)
        return self._remember(subject_id, retention_class, wrapped)[1]

    def index_key(self) -> bytes:
        """The ledger-wide blind-index secret (created on first use)."""
        return self._key(LEDGER_SUBJECT, INDEX_KEY_CLASS)[0]

    def live_classes(self, subject_id: UUID) -> list[str]:
        """The retention classes of a subject whose data key still exists."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT retention_class FROM {p}kirjuri_data_keys"
                " WHERE subject_id = %s AND wrapped IS NOT NULL",
                (str(subject_id),),
            )
            return sorted(row["retention_class"] for row in cursor.fetchall())

    def destroy(self, subject_id: UUID, classes: Iterable[str]) -> None:
        """Destroy data keys for good: the row keeps only that it was destroyed.

        Freed bytes are overwritten (SQLite secure_delete, then a WAL
        checkpoint that truncates the log; PostgreSQL VACUUM FULL of the key
        table), so no copy the master key opens is left in the database."""
        wanted = sorted(set(classes))
        if not wanted:
            return
        placeholders = ", ".join(["%s"] * len(wanted))
        with self.database.transaction() as cursor:
            if self.database.backend == "sqlite":
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                "UPDATE {p}kirjuri_data_keys SET wrapped = NULL, destroyed_at = %s"
                f" WHERE subject_id = %s AND retention_class IN ({placeholders})",
                (_now(), str(subject_id), *wanted),
            )
        for retention_class in wanted:
            self._cache.pop((subject_id, retention_class), None)
        self.database.scrub("kirjuri_data_keys")

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
        self,
        subject_id: UUID,
        retention_class: str,
        wrapped: bytes | None,
        raw: bytes | None = None,
    ) -> tuple[bytes, AESGCM]:
        if wrapped is None:
            raise KeyUnavailable(
                f"data key {retention_class} of subject {subject_id} is destroyed "
                "or was never created"
            )
        if raw is None:
            raw = self.master.unwrap(wrapped, subject_id, retention_class)
        entry = (raw, AESGCM(raw))
        self._cache[(subject_id, retention_class)] = entry
        self._loaded[(subject_id, retention_class)] = time.monotonic()
        if len(self._cache) > self._cache_size:
            oldest, _ = self._cache.popitem(last=False)
            self._loaded.pop(oldest, None)
        return entry

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
