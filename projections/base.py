"""What every read model is: tables, and how each event changes them.

A read model is rebuilt from the event log alone. `apply` runs inside the
catch-up transaction that also moves the model's tracking position, so a
restart resumes exactly where the last committed batch ended.
"""

from __future__ import annotations

from abc import ABC
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from eventsourcing.persistence import Notification

    from ledger.events import SubjectEvent
    from ledger.storage import Cursor

__all__ = ["Batch", "BatchWriter", "ReadModel", "handles", "iso", "iso_date"]

# Notifications as stored, each with its event decoded.
Batch = list[tuple["Notification", "SubjectEvent"]]


def handles(*event_types: type) -> Callable[[Any], Any]:
    """Mark a read-model method as the one that applies these event types."""

    def mark(method: Any) -> Any:
        # Decorators stack: @handles(A) @handles(B) marks the method for both.
        method.handles = (*getattr(method, "handles", ()), *event_types)
        return method

    return mark


class BatchWriter:
    """A cursor for one batch that sends rows in as few statements as it can.

    Inserts are buffered per statement across the whole batch (inserts of a
    read model commute: distinct tables, or distinct keys); an update, a
    delete or a read first sends everything buffered, so a model always sees
    its own writes and updates apply in log order."""

    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self._inserts: dict[str, list[Any]] = {}
        self._statement: str | None = None  # a run of one update or delete
        self._rows: list[Any] = []

    def execute(self, statement: str, params: Any = ()) -> Any:
        verb = statement.lstrip()[:6].upper()
        if verb == "INSERT":
            self._flush_run()
            self._inserts.setdefault(statement, []).append(params)
            return None
        if verb in ("UPDATE", "DELETE"):
            if statement != self._statement:
                self.flush()
                self._statement = statement
            self._rows.append(params)
            return None
        self.flush()
        return self.cursor.execute(statement, params)

    def executemany(self, statement: str, params_seq: Any) -> Any:
        self.flush()
        return self.cursor.executemany(statement, params_seq)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> Any:
        return self.cursor.fetchall()

    def _flush_run(self) -> None:
        if self._rows and self._statement is not None:
            self.cursor.executemany(self._statement, self._rows)
        self._statement, self._rows = None, []

    def flush(self) -> None:
        for statement, rows in self._inserts.items():
            self.cursor.executemany(statement, rows)
        self._inserts = {}
        self._flush_run()


class ReadModel(ABC):
    name: ClassVar[str]
    # Portable DDL (see ledger.storage.Database.sql), and the tables to drop
    # when the model is rebuilt from scratch.
    ddl: ClassVar[tuple[str, ...]]
    tables: ClassVar[tuple[str, ...]]
    # False for models built from stored bytes alone (no event decoding).
    needs_events: ClassVar[bool] = True
    # Event type -> the method marked with @handles for it (built per class).
    _handlers: ClassVar[dict[type, Callable[..., None]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[type, Callable[..., None]] = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                for event_type in getattr(attribute, "handles", ()):
                    handlers[event_type] = attribute
        cls._handlers = handlers

    def apply(self, event: SubjectEvent, cursor: Cursor, notification_id: int) -> None:
        """Change the tables for one event (events it ignores change nothing)."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, event, cursor, notification_id)

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
