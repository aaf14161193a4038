"""Our own tables beside the library's: one small seam over both backends.

The eventsourcing library owns the events and tracking tables. Kirjuri's key
table and read models live in the same database, reached through the
library's own datastore (its connection pool and transactions), so that a
projection batch and its tracking position commit together.
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, Protocol

import structlog
from eventsourcing.postgres import PostgresDatastore
from psycopg.errors import LockNotAvailable
from psycopg.sql import SQL, Identifier

from ledger.standby import primary

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from eventsourcing.sqlite import SQLiteDatastore

__all__ = [
    "CATCH_UP_LOCK",
    "DDL_LOCK",
    "Cursor",
    "Database",
    "PortableCursor",
    "ddl_lock",
]

log = structlog.get_logger("kirjuri.storage")

Backend = Literal["sqlite", "postgres"]

# A scrub blocked by a reader gives up after about a second (0.05 doubling,
# 4 tries) and is remembered; waiting for the reader could take forever.
SCRUB_ATTEMPTS = 4
SCRUB_PAUSE = 0.05
SCRUB_LOCK_TIMEOUT = "1s"


# PostgreSQL advisory locks (with the schema's name as the second key): one
# process at a time creates tables (concurrent CREATE OR REPLACE fail with
# "tuple concurrently updated"), and applies a batch to the read models
# (concurrent catch-ups would update the same rows in different orders and
# deadlock). SQLite serialises every write already.
DDL_LOCK = 7_402_001
CATCH_UP_LOCK = 7_402_002


@contextmanager
def ddl_lock(datastore: SQLiteDatastore | PostgresDatastore) -> Iterator[None]:
    """Hold the table-creation lock on a connection of its own (PostgreSQL),
    for DDL the library runs in transactions we do not open."""
    if not isinstance(datastore, PostgresDatastore):
        yield
        return
    with datastore.get_connection() as conn:  # autocommit: a session lock
        key = (DDL_LOCK, datastore.schema)
        conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", key)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", key)


class Cursor(Protocol):
    """What both backends' cursors offer; rows are read by column name."""

    def execute(self, statement: Any, params: Any = ...) -> Any: ...
    def executemany(self, statement: Any, params_seq: Any) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


_PLACEHOLDER = re.compile(r"%s")
# A plain insert of placeholders (no ON CONFLICT, no RETURNING): its rows can
# go in by COPY on PostgreSQL, with the same result.
_PLAIN_INSERT = re.compile(
    r"\s*INSERT\s+INTO\s+(\S+)\s*\(([^)]*)\)\s*VALUES\s*\(\s*%s(?:\s*,\s*%s)*\s*\)\s*",
    re.IGNORECASE,
)
# Rows from which an executemany of a plain insert becomes a COPY.
COPY_FROM = 16
_COPIED_AS_IS = frozenset({str, int, bytes, type(None)})


def _plain(rows: list[Any]) -> bool:
    """Rows of values COPY's text format writes as an insert would (a UUID,
    a bool or a datetime it spells differently into a TEXT column)."""
    return all(type(value) in _COPIED_AS_IS for row in rows for value in row)


def _copy_of(statement: str) -> str | None:
    """``COPY table (columns) FROM STDIN`` for a plain insert, else None."""
    found = _PLAIN_INSERT.fullmatch(statement)
    if found is None:
        return None
    return f"COPY {found.group(1)} ({found.group(2)}) FROM STDIN"


class Database:
    """Runs portable SQL (``%s`` placeholders, ``{t}`` table prefixes).

    Statements are written once for both backends: ``{blob}`` becomes BLOB or
    BYTEA, ``{p}`` the schema prefix of PostgreSQL, and ``%s`` the SQLite
    ``?`` placeholder.
    """

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore) -> None:
        self.datastore = datastore
        if isinstance(datastore, PostgresDatastore):
            self.backend: Backend = "postgres"
            self._prefix = f'"{datastore.schema}".'
        else:
            self.backend = "sqlite"
            self._prefix = ""
        self._cache: dict[str, str] = {}

    def sql(self, statement: str) -> str:
        """Translate a portable statement for this backend (cached)."""
        try:
            return self._cache[statement]
        except KeyError:
            pass
        text = statement.replace("{p}", self._prefix)
        if self.backend == "sqlite":
            text = text.replace("{blob}", "BLOB").replace("{bigint}", "INTEGER")
            text = _PLACEHOLDER.sub("?", text)
        else:
            text = text.replace("{blob}", "BYTEA").replace("{bigint}", "BIGINT")
        self._cache[statement] = text
        return text

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[PortableCursor]:
        """A transaction; one that commits runs on the primary (with reads
        on a hot standby, only ``commit=False`` ones may run there)."""
        if not commit:
            with self.datastore.transaction(commit=False) as cursor:
                yield PortableCursor(self, cursor)
            return
        with primary(writes=True), self.datastore.transaction(commit=True) as cursor:
            yield PortableCursor(self, cursor)

    def scrub(self, table: str, *, attempts: int = SCRUB_ATTEMPTS) -> bool:
        """Leave no freed copy of a table's old rows in the database files.

        False, within about a second, when a reader holds old copies (SQLite:
        a read transaction keeps the log; PostgreSQL: a transaction holds the
        table): the caller remembers it and tries again later."""
        store = self.datastore
        if isinstance(store, PostgresDatastore):
            return self._vacuum(store, table)
        # Freed pages were zeroed (secure_delete); fold the WAL into the file
        # and truncate it, so no older page image of the table survives. The
        # library's busy timeout would make each try wait for the reader.
        with store.get_connection(commit=True) as conn:
            raw: sqlite3.Connection = getattr(conn, "_sqlite_conn")  # noqa: B009
            timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                for attempt in range(attempts):
                    try:
                        busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        if not busy.fetchone()[0]:
                            return True
                    except sqlite3.OperationalError:
                        pass  # locked: as busy
                    if attempt + 1 < attempts:
                        time.sleep(SCRUB_PAUSE * 2**attempt)
            finally:
                raw.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        log.warning("write-ahead log not truncated: a reader holds it")
        return False

    @staticmethod
    def _vacuum(store: PostgresDatastore, table: str) -> bool:
        with store.get_connection() as conn:  # autocommit: VACUUM may run
            conn.execute(f"SET lock_timeout = '{SCRUB_LOCK_TIMEOUT}'")
            try:
                conn.execute(
                    SQL("VACUUM FULL {}.{}").format(
                        Identifier(store.schema), Identifier(table)
                    )
                )
            except LockNotAvailable:
                log.warning("table not vacuumed: a transaction holds it", table=table)
                return False
            finally:
                conn.execute("RESET lock_timeout")
        return True

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the SQLite database, WAL included, made with
        SQLite's backup API in one step (one read snapshot) into ``target``,
        a new file; PostgreSQL is backed up with its own tools."""
        store = self.datastore
        if isinstance(store, PostgresDatastore):
            raise TypeError("a PostgreSQL ledger is backed up with pg_dump")
        with store.get_connection(commit=False) as conn:
            raw: sqlite3.Connection = getattr(conn, "_sqlite_conn")  # noqa: B009
            copy = sqlite3.connect(target)
            try:
                raw.backup(copy)
            finally:
                copy.close()

    def serialise(self, cursor: PortableCursor, lock: int) -> bool:
        """Wait for every other process's transaction holding `lock` on this
        schema to end; held until this transaction ends. False on SQLite,
        where a write transaction excludes the others already."""
        if not isinstance(self.datastore, PostgresDatastore):
            return False
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            (lock, self.datastore.schema),
        )
        return True

    def execute_script(self, statements: Sequence[str]) -> None:
        with self.transaction() as cursor:
            self.serialise(cursor, DDL_LOCK)  # writers start at once
            for statement in statements:
                cursor.execute(statement)


class PortableCursor:
    """Translates portable statements on the fly; otherwise the real cursor."""

    def __init__(self, database: Database, cursor: Any) -> None:
        self._database = database
        self.raw = cursor

    def execute(self, statement: str, params: Any = ()) -> Any:
        return self.raw.execute(self._database.sql(statement), params)

    def executemany(self, statement: str, params_seq: Any) -> Any:
        text = self._database.sql(statement)
        if self._database.backend == "postgres":
            rows = params_seq if isinstance(params_seq, list) else list(params_seq)
            copy = _copy_of(text) if len(rows) >= COPY_FROM and _plain(rows) else None
            if copy is not None:
                # One COPY, not a statement per row: a rebuild's inserts
                # were most of its time on PostgreSQL (round trips).
                with self.raw.copy(copy) as stream:
                    for row in rows:
                        stream.write_row(row)
                return None
            params_seq = rows
        return self.raw.executemany(text, params_seq)

    def fetchall(self) -> Any:
        return self.raw.fetchall()

    def fetchone(self) -> Any:
        return self.raw.fetchone()
