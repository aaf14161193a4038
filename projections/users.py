"""People's web accounts: role, password hash, state, recent failures.

Rebuilt from the ledger's own stream like the tokens. ``failures`` counts
the refused sign-ins since the last good one, so a lockout survives a
restart and is the same in every worker.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso

if TYPE_CHECKING:
    from ledger.storage import Cursor, Database

__all__ = ["UsersModel", "all_users", "user_by_id", "user_by_name"]


class UsersModel(ReadModel):
    name: ClassVar[str] = "users"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_users",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_users ("
        " user_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " role TEXT NOT NULL, password_hash TEXT NOT NULL,"
        " must_change INTEGER NOT NULL, created_at TEXT NOT NULL,"
        " expires_at TEXT, subjects TEXT NOT NULL, since TEXT, until TEXT,"
        " disabled_at TEXT, failures INTEGER NOT NULL,"
        " last_failure_at TEXT, last_sign_in_at TEXT)",
    )

    @handles(ev.UserAdded)
    def _added(self, event: ev.UserAdded, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "INSERT INTO {p}kirjuri_users (user_id, name, role, password_hash,"
            " must_change, created_at, expires_at, subjects, since, until,"
            " failures) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0)",
            (
                event.user_id,
                event.name,
                event.role,
                event.password_hash,
                int(event.must_change),
                iso(event.recorded_at),
                None if event.expires_at is None else iso(event.expires_at),
                json.dumps(list(event.subjects)),
                None if event.since is None else iso(event.since),
                None if event.until is None else iso(event.until),
            ),
        )

    @handles(ev.UserPasswordSet)
    def _password(self, event: ev.UserPasswordSet, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_users SET password_hash = %s, must_change = 0"
            " WHERE user_id = %s",
            (event.password_hash, event.user_id),
        )

    @handles(ev.UserDisabled)
    def _disabled(self, event: ev.UserDisabled, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_users SET disabled_at = %s WHERE user_id = %s",
            (iso(event.recorded_at), event.user_id),
        )

    @handles(ev.SignedIn)
    def _signed_in(self, event: ev.SignedIn, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_users SET failures = 0, last_sign_in_at = %s"
            " WHERE user_id = %s",
            (iso(event.recorded_at), event.user_id),
        )

    @handles(ev.SignInFailed)
    def _failed(self, event: ev.SignInFailed, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_users SET failures = failures + 1,"
            " last_failure_at = %s WHERE user_id = %s",
            (iso(event.recorded_at), event.user_id),
        )


def all_users(database: Database) -> list[dict[str, Any]]:
    with database.transaction(commit=False) as cursor:
        cursor.execute("SELECT * FROM {p}kirjuri_users ORDER BY created_at")
        return [dict(row) for row in cursor.fetchall()]


def user_by_name(database: Database, name: str) -> dict[str, Any] | None:
    return _one(database, "name", name)


def user_by_id(database: Database, user_id: str) -> dict[str, Any] | None:
    return _one(database, "user_id", user_id)


def _one(database: Database, column: str, value: str) -> dict[str, Any] | None:
    with database.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT * FROM {{p}}kirjuri_users WHERE {column} = %s",
            (value,),
        )
        row = cursor.fetchone()
    return None if row is None else dict(row)
