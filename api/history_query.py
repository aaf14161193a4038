"""The filters of ``kirjuri history`` as query parameters, shared by every
route that selects events by them (history, inquiry bundles), and narrowed
to the caller's reach."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Query

from api.auth import within_reach
from api.moments import MomentQuery, parsed

if TYPE_CHECKING:
    from commands.usecases.identities import Caller

__all__ = ["HistoryQuery"]

Name = Annotated[str | None, Query(max_length=64)]


class HistoryQuery:
    """Used as ``Annotated[HistoryQuery, Depends()]``: FastAPI reads these
    parameters from the query string and documents them once."""

    def __init__(  # noqa: PLR0917 - one argument per query parameter
        self,
        subject: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
        recipient: Name = None,
        purpose: Name = None,
        category: Name = None,
        type: Name = None,
        country: Annotated[str | None, Query(max_length=2)] = None,
        since: MomentQuery = None,
        until: MomentQuery = None,
    ) -> None:
        self.subject = subject
        self.exact = {
            "recipient": recipient,
            "purpose": purpose,
            "category": category,
            "event_type": type,
            "country": country,
        }
        self.since = since
        self.until = until

    def filters(self, caller: Caller) -> dict[str, Any]:
        """The facade's keyword filters, within the caller's subjects and
        window (a regulator's period narrows the one asked)."""
        start, end = within_reach(
            caller,
            self.subject,
            parsed(self.since, "since"),
            parsed(self.until, "until"),
        )
        return {"subject": self.subject, **self.exact, "since": start, "until": end}
