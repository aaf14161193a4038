"""Moments in query strings, read as the CLI reads them (local time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Query

from ledger.clock import parse_moment

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["MomentQuery", "parsed"]

MomentQuery = Annotated[
    str | None,
    Query(max_length=40, description="ISO date or time (local time if no offset)"),
]


def parsed(text: str | None, field: str) -> datetime | None:
    return None if text is None else parse_moment(text, field)
