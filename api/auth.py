"""Who is calling, and what their role lets them do.

Every route but the health checks and the public checkpoint and key names a
right; a right is granted to roles by the one table below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import Refused
from commands.usecases.identities import Caller, NotAuthenticated, NotPermitted

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from commands.service import Kirjuri

__all__ = [
    "DPO_KINDS",
    "RIGHTS",
    "Purpose",
    "allowed",
    "facade",
    "purpose_of",
    "within_reach",
]

# right -> the roles that have it (the README's role table).
RIGHTS: dict[str, frozenset[str]] = {
    "record": frozenset({"ingest", "dpo"}),
    "check": frozenset({"ingest", "dpo"}),
    "policy": frozenset({"ingest", "dpo", "auditor", "regulator"}),
    "consult": frozenset({"dpo", "auditor", "regulator"}),  # masked but for dpo
    "audit": frozenset({"dpo", "auditor", "regulator"}),
    "export": frozenset({"dpo"}),
    # requests, holds, erasure, acknowledging findings, subject search
    "manage": frozenset({"dpo"}),
    "metrics": frozenset({"ingest", "dpo", "auditor", "regulator"}),
}
# Commands that manage requests and erasure: a dpo's, even on /v1/commands.
DPO_KINDS = frozenset(
    {
        "request",
        "extend-request",
        "excessive-request",
        "answer-request",
        "refuse-request",
        "hold",
        "release-hold",
        "erase",
        "acknowledge-finding",
    }
)

_bearer = HTTPBearer(auto_error=False)
Purpose = Annotated[
    str | None,
    Header(
        alias="X-Purpose",
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="why you look (required of auditors and regulators)",
    ),
]


def facade(request: Request) -> Kirjuri:
    kirjuri: Kirjuri = request.app.state.kirjuri
    return kirjuri


async def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Refused(401, "authorization: give a bearer token")
    try:
        caller = facade(request).authenticate(credentials.credentials)
    except NotAuthenticated:
        raise Refused(401, "authorization: unknown, expired or revoked token") from None
    request.state.caller = caller
    return caller


def allowed(right: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the caller, if their role has ``right`` (else 403)."""
    roles = RIGHTS[right]

    async def check(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        if caller.role not in roles:
            raise Refused(403, f"role {caller.role} may not {right}")
        return caller

    return check


def purpose_of(caller: Caller, purpose: str | None) -> str | None:
    """Auditors and regulators say why they look at a person's data."""
    if caller.masked and not (purpose and purpose.strip()):
        raise Refused(422, "purpose: required of an auditor or a regulator", "purpose")
    return purpose.strip() if purpose else None


def within_reach(
    caller: Caller,
    subject: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[datetime | None, datetime | None]:
    """A regulator limited to subjects must name one of them (by id); a
    window narrows the period asked."""
    if caller.subjects and subject not in caller.subjects:
        raise NotPermitted("subject: give one of the subjects this token may see")
    if caller.since is not None:
        since = caller.since if since is None else max(since, caller.since)
    if caller.until is not None:
        until = caller.until if until is None else min(until, caller.until)
    return since, until
