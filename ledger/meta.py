"""The ledger's own small facts (its origin, how far verify reached, the
stream table's position), one named row each: the only module that reads
or writes ``kirjuri_meta``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.storage import PortableCursor

__all__ = ["META_DDL", "get", "lock", "put", "put_if_absent"]

META_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_meta"
    " (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def get(cursor: PortableCursor, name: str) -> str | None:
    cursor.execute("SELECT value FROM {p}kirjuri_meta WHERE name = %s", (name,))
    row = cursor.fetchone()
    return None if row is None else str(row["value"])


def lock(cursor: PortableCursor, name: str, *, postgres: bool) -> str | None:
    """The value, its row locked until the transaction ends (on SQLite the
    transaction's write lock already serialises writers)."""
    if not postgres:
        return get(cursor, name)
    cursor.execute(
        "SELECT value FROM {p}kirjuri_meta WHERE name = %s FOR UPDATE", (name,)
    )
    row = cursor.fetchone()
    return None if row is None else str(row["value"])


def put(cursor: PortableCursor, name: str, value: str) -> None:
    cursor.execute(
        "INSERT INTO {p}kirjuri_meta (name, value) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def put_if_absent(cursor: PortableCursor, name: str, value: str) -> str:
    """The stored value, ``value`` stored first if there was none."""
    cursor.execute(
        "INSERT INTO {p}kirjuri_meta (name, value) VALUES (%s, %s)"
        " ON CONFLICT (name) DO NOTHING",
        (name, value),
    )
    return str(get(cursor, name))
