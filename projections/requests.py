"""The requests register: received, due, extended, answered or refused.

Requests are numbered per subject, type and calendar year by the day they
were *received*, not recorded: a request recorded late takes its place, and
the later ones move up by one. The access report reads the fee from it (Art.
15(3): only a further copy of an access answer may carry a fee).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ledger import events as ev
from projections.base import ReadModel, handles, iso, iso_date

if TYPE_CHECKING:
    from ledger.storage import Cursor

__all__ = ["RequestsModel"]


class RequestsModel(ReadModel):
    name: ClassVar[str] = "requests"
    tables: ClassVar[tuple[str, ...]] = ("kirjuri_requests",)
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_requests ("
        " request_id TEXT NOT NULL, subject_id TEXT NOT NULL,"
        " request_type TEXT NOT NULL, channel TEXT NOT NULL,"
        " received_on TEXT NOT NULL, due_on TEXT NOT NULL,"
        " original_due_on TEXT NOT NULL, extension_reason TEXT,"
        " extension_notified_on TEXT, status TEXT NOT NULL, answered_on TEXT,"
        " refusal_reason TEXT, number_in_year INTEGER NOT NULL,"
        " recorded_at TEXT NOT NULL, PRIMARY KEY (request_id, subject_id))",
        "CREATE INDEX IF NOT EXISTS kirjuri_requests_by_subject"
        " ON {p}kirjuri_requests (subject_id, received_on)",
    )

    @handles(ev.RequestReceived)
    def _received(self, event: ev.RequestReceived, cursor: Cursor, _: int) -> None:
        year = str(event.received_on.year)
        received = iso_date(event.received_on)
        same_year = (
            " WHERE subject_id = %s AND request_type = %s"
            " AND substr(received_on, 1, 4) = %s"
        )
        key = (str(event.originator_id), event.request_type.value, year)
        cursor.execute(
            "SELECT COUNT(*) AS earlier FROM {p}kirjuri_requests"
            + same_year
            + " AND received_on <= %s",
            (*key, received),
        )
        earlier = int(cursor.fetchone()["earlier"])
        # Received earlier than requests recorded before it: they move up.
        cursor.execute(
            "UPDATE {p}kirjuri_requests SET number_in_year = number_in_year + 1"
            + same_year
            + " AND received_on > %s",
            (*key, received),
        )
        cursor.execute(
            "INSERT INTO {p}kirjuri_requests (request_id, subject_id, request_type,"
            " channel, received_on, due_on, original_due_on, status, number_in_year,"
            " recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 'open', %s, %s)",
            (
                event.request_id,
                str(event.originator_id),
                event.request_type.value,
                event.channel,
                iso_date(event.received_on),
                iso_date(event.due_on),
                iso_date(event.due_on),
                earlier + 1,
                iso(event.recorded_at),
            ),
        )

    @handles(ev.RequestExtended)
    def _extended(self, event: ev.RequestExtended, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_requests SET due_on = %s, extension_reason = %s,"
            " extension_notified_on = %s WHERE request_id = %s AND subject_id = %s",
            (
                iso_date(event.due_on),
                event.reason,
                iso_date(event.notified_on),
                event.request_id,
                str(event.originator_id),
            ),
        )

    @handles(ev.RequestAnswered)
    def _answered(self, event: ev.RequestAnswered, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_requests SET status = 'answered', answered_on = %s"
            " WHERE request_id = %s AND subject_id = %s",
            (iso_date(event.answered_on), event.request_id, str(event.originator_id)),
        )

    @handles(ev.RequestRefused)
    def _refused(self, event: ev.RequestRefused, cursor: Cursor, _: int) -> None:
        cursor.execute(
            "UPDATE {p}kirjuri_requests SET status = 'refused', answered_on = %s,"
            " refusal_reason = %s WHERE request_id = %s AND subject_id = %s",
            (
                iso_date(event.answered_on),
                event.reason,
                event.request_id,
                str(event.originator_id),
            ),
        )
