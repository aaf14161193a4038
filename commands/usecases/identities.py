"""API identities (tokens and their roles) and the log of who read whose data.

A token is 32 random bytes shown once; the ledger keeps its SHA-256 in a
`TokenCreated` event on its own stream, so who could do what is as
tamper-evident as the rest. Every look at a person's values is a
`SubjectConsulted` event on that person's stream, without the values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from commands.usecases.own_stream import record_next, record_own
from commands.usecases.views import LocalMoment, Row
from ledger import clock
from ledger import events as ev
from ledger.errors import InvalidCommand, KirjuriError
from projections import tokens as stored

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from commands.usecases.views import SubjectState
    from ledger.application import Ledger
    from projections.reports.model import AccessReport

__all__ = [
    "NAME",
    "ROLES",
    "Caller",
    "IssuedToken",
    "NotAuthenticated",
    "NotPermitted",
    "Role",
    "TokenRow",
    "authenticate",
    "check_grant",
    "check_reach",
    "consulted",
    "create_token",
    "mask_report",
    "mask_state",
    "parse_duration",
    "revoke_token",
    "tokens",
]

Role = Literal["ingest", "dpo", "auditor", "regulator"]
ROLES: tuple[Role, ...] = ("ingest", "dpo", "auditor", "regulator")
PREFIX = "kj_"  # a token is recognisable in a leaked file or a log
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")  # it reports as ``reported_by``
_DURATION = re.compile(r"([1-9][0-9]{0,4})([hdw])\Z")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class NotAuthenticated(Exception):
    """A missing, unknown, expired or revoked token (the reason is not told)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Caller(_Model):
    """Who is calling, and what a regulator's token is limited to."""

    token_id: str
    name: str
    role: Role
    subjects: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def masked(self) -> bool:
        """Auditors and regulators see reports with personal values masked."""
        return self.role in ("auditor", "regulator")


class TokenRow(Row):
    """A token as listed: never the token itself, nor its hash."""

    token_id: str
    name: str
    role: Role
    created_at: LocalMoment
    expires_at: LocalMoment | None
    revoked_at: LocalMoment | None
    subjects: tuple[str, ...] = ()
    since: LocalMoment | None = None
    until: LocalMoment | None = None


class IssuedToken(_Model):
    """A new token: ``token`` is shown this once and stored nowhere."""

    token: str = Field(repr=False)
    row: TokenRow


def parse_duration(text: str, field: str = "expires") -> timedelta:
    """``90d``, ``12h``, ``4w``."""
    found = _DURATION.match(text.strip())
    if found is None:
        raise InvalidCommand(field, "give a duration such as 90d, 12h or 4w")
    return int(found.group(1)) * _UNITS[found.group(2)]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_grant(
    what: str,
    name: str,
    role: str,
    roles: Sequence[str],
    *,
    expires: timedelta | None,
    limited: bool,
    since: datetime | None,
    until: datetime | None,
) -> None:
    """The rules a token and a person's account share (``what`` names it):
    a name of a few plain characters, a known role, and a regulator's
    access always expiring and alone limited."""
    if not NAME.match(name):
        raise InvalidCommand(
            "name", "lower-case letters, digits and '_', a letter first"
        )
    if role not in roles:
        raise InvalidCommand("role", f"one of {', '.join(roles)}")
    if role == "regulator" and expires is None:
        # An authority's access ends by itself.
        raise InvalidCommand("expires", f"a regulator's {what} always expires")
    if role != "regulator" and limited:
        raise InvalidCommand("subjects", f"only a regulator's {what} is limited")
    if since is not None and until is not None and since > until:
        raise InvalidCommand("since", "after until")


def grant_fields(
    name: str,
    role: str,
    now: datetime,
    *,
    expires: timedelta | None,
    subjects: Sequence[UUID],
    since: datetime | None,
    until: datetime | None,
) -> dict[str, Any]:
    """What a token's and an account's creation events both record."""
    return {
        "name": name,
        "role": role,
        "expires_at": None if expires is None else now + expires,
        "subjects": tuple(str(s) for s in subjects),
        "since": since,
        "until": until,
    }


def create_token(
    ledger: Ledger,
    name: str,
    role: str,
    *,
    expires: timedelta | None = None,
    subjects: Sequence[UUID] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> IssuedToken:
    limited = bool(subjects or since or until)
    check_grant(
        "token",
        name,
        role,
        ROLES,
        expires=expires,
        limited=limited,
        since=since,
        until=until,
    )
    token = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    event = record_own(
        ledger,
        now,
        lambda header: ev.TokenCreated(
            **header,
            token_id=secrets.token_hex(6),
            token_hash=_hash(token),
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
    row = TokenRow(
        token_id=event.token_id,
        name=name,
        role=event.role,
        created_at=now,
        expires_at=event.expires_at,
        revoked_at=None,
        subjects=event.subjects,
        since=since,
        until=until,
    )
    return IssuedToken(token=token, row=row)


def revoke_token(ledger: Ledger, token_id: str) -> TokenRow:
    found = [t for t in tokens(ledger) if t.token_id == token_id]
    if not found:
        raise InvalidCommand("token_id", "no such token")
    if found[0].revoked_at is not None:
        raise InvalidCommand("token_id", "already revoked")
    now = clock.now()
    record_own(ledger, now, lambda header: ev.TokenRevoked(**header, token_id=token_id))
    return found[0].model_copy(update={"revoked_at": now})


def tokens(ledger: Ledger) -> list[TokenRow]:
    return [_row(r) for r in stored.all_tokens(ledger.database)]


def authenticate(ledger: Ledger, token: str) -> Caller:
    """The caller a bearer token names, if it is live."""
    if not token.startswith(PREFIX) or len(token) > 100:
        raise NotAuthenticated
    digest = _hash(token)
    row = stored.token_by_hash(ledger.database, digest)
    # The lookup is by hash; the compare is constant-time all the same.
    if row is None or not hmac.compare_digest(row["token_hash"], digest):
        raise NotAuthenticated
    found = _row(row)
    now = clock.now()
    if found.revoked_at is not None or (
        found.expires_at is not None and found.expires_at <= now
    ):
        raise NotAuthenticated
    return Caller(
        token_id=found.token_id,
        name=found.name,
        role=found.role,
        subjects=found.subjects,
        since=found.since,
        until=found.until,
    )


def consulted(
    ledger: Ledger, subject: UUID, view: str, caller: Caller, purpose: str | None
) -> None:
    """Put on the person's record that ``caller`` was shown ``view``."""
    record_next(
        ledger,
        subject,
        clock.now(),
        lambda header: ev.SubjectConsulted(
            **header,
            reported_by="web" if caller.token_id.startswith("web:") else "api",
            view=view,
            caller=caller.name,
            role=caller.role,
            purpose=purpose,
        ),
    )


def _row(row: dict[str, Any]) -> TokenRow:
    return TokenRow(
        token_id=row["token_id"],
        name=row["name"],
        role=row["role"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        subjects=tuple(json.loads(row["subjects"])),
        since=row["since"],
        until=row["until"],
    )


class NotPermitted(KirjuriError):
    """The caller's token does not reach this subject or this period."""


MASK = "•••"


def check_reach(caller: Caller, subject: UUID) -> None:
    """A regulator limited to some subjects is refused any other."""
    if caller.subjects and str(subject) not in caller.subjects:
        raise NotPermitted("subject: outside what this token may see")


def mask_state(state: SubjectState) -> SubjectState:
    values = {
        k: v.model_copy(update={"value": None if v.value is None else MASK})
        for k, v in state.values.items()
    }
    return state.model_copy(update={"values": values})


def mask_report(report: AccessReport) -> AccessReport:
    held = [
        v.model_copy(update={"value": None if v.value is None else MASK})
        for v in report.personal_data
    ]
    return report.model_copy(update={"personal_data": held})
