"""API tokens in force: issued and not revoked (their hashes, never tokens)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor, Database

__all__ = ["TokensModel", "all_tokens", "token_by_hash"]


class TokensModel(ReadModel):
    name: ClassVar[str] = "tokens"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_tokens",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_tokens ("
        " token_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,"
        " name TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL,"
        " expires_at TEXT, subjects TEXT NOT NULL, since TEXT, until TEXT,"
        " revoked_at TEXT)",
    )

    @handles(ev.TokenCreated)
    def _created(self, event: ev.TokenCreated, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_tokens (token_id, token_hash, name, role,"
            " created_at, expires_at, subjects, since, until)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                event.token_id,
                event.token_hash,
                event.name,
                event.role,
                iso(event.recorded_at),
                None if event.expires_at is None else iso(event.expires_at),
                json.dumps(list(event.subjects)),
                None if event.since is None else iso(event.since),
                None if event.until is None else iso(event.until),
            ),
        )

    @handles(ev.TokenRevoked)
    def _revoked(self, event: ev.TokenRevoked, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_tokens SET revoked_at = %s WHERE token_id = %s",
            (iso(event.recorded_at), event.token_id),
        )


def all_tokens(database: Database) -> list[dict[str, Any]]:
    with database.transaction(commit=False) as cursor:
        cursor.execute("SELECT * FROM {p}kirjuri_tokens ORDER BY created_at")
        return [dict(row) for row in cursor.fetchall()]


def token_by_hash(database: Database, digest: str) -> dict[str, Any] | None:
    with database.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT * FROM {p}kirjuri_tokens WHERE token_hash = %s", (digest,)
        )
        row = cursor.fetchone()
    return None if row is None else dict(row)
