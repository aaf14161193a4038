"""What every read model is: tables, and how each event changes them.

A read model is rebuilt from the event log alone. `apply` runs inside the
catch-up transaction that also moves the model's tracking position, so a
restart resumes exactly where the last committed batch ended.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from ledger.events import SubjectEvent
    from ledger.storage import Cursor

__all__ = ["Batch", "ReadModel", "iso", "iso_date"]

# Notifications as stored, each with its event decoded.
Batch = list[tuple["Notification", "SubjectEvent"]]


class ReadModel(ABC):
    name: ClassVar[str]
    # Portable DDL (see ledger.storage.Database.sql), and the tables to drop
    # when the model is rebuilt from scratch.
    ddl: ClassVar[tuple[str, ...]]
    tables: ClassVar[tuple[str, ...]]
    # False for models built from stored bytes alone (no event decoding).
    needs_events: ClassVar[bool] = True

    @abstractmethod
    def apply(self, event: SubjectEvent, cursor: Cursor, notification_id: int) -> None:
        """Change the tables for one event (events it ignores change nothing)."""

    def prepare(self, batch: Batch) -> None:  # noqa: B027 - an optional hook
        """Work a batch needs done before its transaction opens (key reads)."""

    def apply_batch(self, cursor: Cursor, batch: Batch) -> None:
        """Apply a batch in log order; models may do it in fewer statements."""
        for notification, event in batch:
            self.apply(event, cursor, notification.id)


def iso(moment: datetime) -> str:
    """Timestamps as fixed-width UTC text: they sort as they compare."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
