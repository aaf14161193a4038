"""Web sessions kept on the server: only a hash of each session id.

A session is not a fact of the ledger (it is forgotten when it ends), so it
lives in a table of its own, not in the event log. Sign-ins and failed
sign-ins are events (see ``commands.usecases.accounts``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.storage import Database

__all__ = ["SESSIONS_DDL", "Session", "SessionStore"]

SESSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_web_sessions ("
    " id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
    " created_at TEXT NOT NULL, seen_at TEXT NOT NULL, purpose TEXT)",
)


@dataclass(frozen=True)
class Session:
    user_id: str
    created_at: datetime
    seen_at: datetime
    purpose: str | None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """The only reader and writer of the sessions table."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.execute_script(SESSIONS_DDL)

    def create(self, user_id: str, now: datetime) -> str:
        """A new session id (shown to the browser only)."""
        session_id = secrets.token_urlsafe(32)
        with self.database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO {p}kirjuri_web_sessions (id_hash, user_id,"
                " created_at, seen_at) VALUES (%s, %s, %s, %s)",
                (_hash(session_id), user_id, iso(now), iso(now)),
            )
        return session_id

    def find(self, session_id: str) -> Session | None:
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT user_id, created_at, seen_at, purpose"
                " FROM {p}kirjuri_web_sessions WHERE id_hash = %s",
                (_hash(session_id),),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return Session(
            user_id=row["user_id"],
            created_at=datetime.fromisoformat(row["created_at"]),
            seen_at=datetime.fromisoformat(row["seen_at"]),
            purpose=row["purpose"],
        )

    def touch(self, session_id: str, now: datetime) -> None:
        self._update("seen_at", iso(now), session_id)

    def set_purpose(self, session_id: str, purpose: str | None) -> None:
        self._update("purpose", purpose, session_id)

    def _update(self, column: str, value: str | None, session_id: str) -> None:
        with self.database.transaction() as cursor:
            cursor.execute(
                f"UPDATE {{p}}kirjuri_web_sessions SET {column} = %s"
                " WHERE id_hash = %s",
                (value, _hash(session_id)),
            )

    def end(self, session_id: str) -> None:
        with self.database.transaction() as cursor:
            cursor.execute(
                "DELETE FROM {p}kirjuri_web_sessions WHERE id_hash = %s",
                (_hash(session_id),),
            )

    def end_all(self, user_id: str) -> None:
        """Every session of a person (disabled, or a new password)."""
        with self.database.transaction() as cursor:
            cursor.execute(
                "DELETE FROM {p}kirjuri_web_sessions WHERE user_id = %s", (user_id,)
            )
