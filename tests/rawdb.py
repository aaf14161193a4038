"""Where the library stores a ledger's events, for tests that tamper with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commands.service import Kirjuri


def events_table(kirjuri: Kirjuri) -> tuple[str, str]:
    """The events table (portable, ``{p}``-prefixed) and its sequence column."""
    table = getattr(kirjuri.ledger.recorder, "events_table_name", "stored_events")
    backend = kirjuri.ledger.database.backend
    return "{p}" + table, "rowid" if backend == "sqlite" else "notification_id"
