"""People's accounts for the web pages, their sign-ins and sessions.

An account is a ``UserAdded`` event on the ledger's own stream with an
Argon2 hash of an initial password that is shown once and must be changed
at the first sign-in. Every sign-in and every refused one is an event
(never what was typed). After ``LOCK_AFTER`` refusals in a row an account
is locked for ``LOCK_FOR`` after the last one, even to the right password.
Sessions live on the server (``ledger.sessions``) and end after
``IDLE`` without a request or ``ABSOLUTE`` after the sign-in.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field

from commands.usecases.identities import (
    NAME,
    ROLES,
    Caller,
    NotAuthenticated,
    Role,
    check_grant,
    grant_fields,
)
from commands.usecases.own_stream import record_own
from commands.usecases.views import LocalMoment, Row
from ledger import clock
from ledger import events as ev
from ledger.errors import InvalidCommand
from projections import users as stored

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.sessions import SessionStore

__all__ = [
    "ABSOLUTE",
    "IDLE",
    "LOCK_AFTER",
    "LOCK_FOR",
    "MIN_PASSWORD",
    "IssuedAccount",
    "Locked",
    "Person",
    "UserRow",
    "add_user",
    "change_password",
    "disable_user",
    "person_of",
    "sign_in",
    "users",
]

PEOPLE_ROLES: tuple[Role, ...] = tuple(r for r in ROLES if r != "ingest")
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Compared against when no account has the name, so that the answer takes
# as long as for a real one.
_NOBODY = _hasher.hash(secrets.token_urlsafe(16))


class Locked(NotAuthenticated):
    """Too many refused sign-ins: try again later."""


class Person(Caller):
    """A signed-in person: a `Caller` (so every facade read that takes one
    records and masks as for a token) with what the pages need."""

    user_id: str
    must_change: bool = False
    purpose: str | None = None  # why an auditor or a regulator looks


class UserRow(Row):
    """An account as listed: never its password hash."""

    user_id: str
    name: str
    role: Role
    created_at: LocalMoment
    expires_at: LocalMoment | None
    disabled_at: LocalMoment | None
    last_sign_in_at: LocalMoment | None = None
    subjects: tuple[str, ...] = ()
    since: LocalMoment | None = None
    until: LocalMoment | None = None


class IssuedAccount(BaseModel):
    """A new account: ``password`` is shown this once and stored nowhere."""

    model_config = ConfigDict(frozen=True)
    password: str = Field(repr=False)
    row: UserRow


def add_user(
    ledger: Ledger,
    name: str,
    role: str,
    *,
    expires: timedelta | None = None,
    subjects: Sequence[UUID] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> IssuedAccount:
    limited = bool(subjects or since or until)
    check_grant(
        "account",
        name,
        role,
        PEOPLE_ROLES,
        expires=expires,
        limited=limited,
        since=since,
        until=until,
    )
    if stored.user_by_name(ledger.database, name) is not None:
        raise InvalidCommand("name", "an account of that name exists")
    password = secrets.token_urlsafe(12)
    now = clock.now()
    password_hash = _hasher.hash(password)
    event = record_own(
        ledger,
        now,
        lambda header: ev.UserAdded(
            **header,
            user_id=secrets.token_hex(6),
            password_hash=password_hash,
            **grant_fields(
                name,
                role,
                now,
                expires=expires,
                subjects=subjects,
                since=since,
                until=until,
            ),
        ),
    )
    row = UserRow(
        user_id=event.user_id,
        name=name,
        role=event.role,
        created_at=now,
        expires_at=event.expires_at,
        disabled_at=None,
        subjects=event.subjects,
        since=since,
        until=until,
    )
    return IssuedAccount(password=password, row=row)


def users(ledger: Ledger) -> list[UserRow]:
    return [_row(r) for r in stored.all_users(ledger.database)]


def disable_user(ledger: Ledger, sessions: SessionStore, name: str) -> UserRow:
    found = stored.user_by_name(ledger.database, name)
    if found is None:
        raise InvalidCommand("name", "no such account")
    if found["disabled_at"] is not None:
        raise InvalidCommand("name", "already disabled")
    now = clock.now()
    record_own(
        ledger, now, lambda header: ev.UserDisabled(**header, user_id=found["user_id"])
    )
    sessions.end_all(found["user_id"])
    return _row(found).model_copy(update={"disabled_at": now})


def sign_in(
    ledger: Ledger, sessions: SessionStore, name: str, password: str
) -> tuple[str, Person]:
    """A new session for the right password of a live, unlocked account;
    otherwise `NotAuthenticated` (or `Locked`), and the refusal recorded."""
    found = stored.user_by_name(ledger.database, name) if NAME.match(name) else None
    now = clock.now()
    good = _matches(found["password_hash"] if found else _NOBODY, password[:1024])
    if found is None:
        record_own(ledger, now, lambda header: ev.SignInFailed(**header))
        raise NotAuthenticated
    locked = _locked(found, now)
    if not good or locked or not _live(found, now):
        record_own(
            ledger,
            now,
            lambda header: ev.SignInFailed(
                **header, user_id=found["user_id"], locked=locked
            ),
        )
        raise Locked if locked else NotAuthenticated
    record_own(
        ledger, now, lambda header: ev.SignedIn(**header, user_id=found["user_id"])
    )
    session_id = sessions.create(found["user_id"], now)
    return session_id, _person(found, None)


def person_of(ledger: Ledger, sessions: SessionStore, session_id: str) -> Person:
    """The person of a live session (which it keeps alive), or
    `NotAuthenticated` (unknown, idle too long, too old, account closed)."""
    if not session_id or len(session_id) > 100:
        raise NotAuthenticated
    session = sessions.find(session_id)
    now = clock.now()
    if session is None:
        raise NotAuthenticated
    if now - session.seen_at > IDLE or now - session.created_at > ABSOLUTE:
        sessions.end(session_id)
        raise NotAuthenticated
    found = stored.user_by_id(ledger.database, session.user_id)
    if found is None or not _live(found, now):
        sessions.end(session_id)
        raise NotAuthenticated
    sessions.touch(session_id, now)
    return _person(found, session.purpose)


def change_password(
    ledger: Ledger, sessions: SessionStore, user_id: str, current: str, new: str
) -> None:
    found = stored.user_by_id(ledger.database, user_id)
    if found is None or not _matches(found["password_hash"], current[:1024]):
        raise InvalidCommand("current", "not your current password")
    if len(new) < MIN_PASSWORD or len(new) > 1024:
        raise InvalidCommand("new", f"at least {MIN_PASSWORD} characters")
    if new == current:
        raise InvalidCommand("new", "the same as the current one")
    now = clock.now()
    new_hash = _hasher.hash(new)
    record_own(
        ledger,
        now,
        lambda header: ev.UserPasswordSet(
            **header, user_id=user_id, password_hash=new_hash
        ),
    )
    sessions.end_all(user_id)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked(found: dict[str, Any], now: datetime) -> bool:
    last = found["last_failure_at"]
    return (
        found["failures"] >= LOCK_AFTER
        and last is not None
        and now - datetime.fromisoformat(last) < LOCK_FOR
    )


def _live(found: dict[str, Any], now: datetime) -> bool:
    expires = found["expires_at"]
    return found["disabled_at"] is None and (
        expires is None or datetime.fromisoformat(expires) > now
    )


def _person(found: dict[str, Any], purpose: str | None) -> Person:
    row = _row(found)
    return Person(
        token_id=f"web:{row.user_id}",
        name=row.name,
        role=row.role,
        subjects=row.subjects,
        since=row.since,
        until=row.until,
        user_id=row.user_id,
        must_change=bool(found["must_change"]),
        purpose=purpose,
    )


def _row(row: dict[str, Any]) -> UserRow:
    return UserRow(
        user_id=row["user_id"],
        name=row["name"],
        role=row["role"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        disabled_at=row["disabled_at"],
        last_sign_in_at=row["last_sign_in_at"],
        subjects=tuple(json.loads(row["subjects"])),
        since=row["since"],
        until=row["until"],
    )
