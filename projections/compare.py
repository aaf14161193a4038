"""Read models checked against a rebuild from the log (``verify --read-models``).

What `history`, the reports and the queries read are tables, not the log:
whoever can write the database can change a row there (a disclosure's
recipient) and no hash notices. This rebuilds every read model from the
stored events into a scratch SQLite file, copies the live tables beside
them, and names, per model, the first row that differs: its table, its key
and its column. Values are never shown (a row may hold a sealed value or a
lookup hash), only where they differ.

The scratch file lives in a temporary folder and is deleted afterwards; its
size is about that of the read models.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.sqlite import SQLiteDatastore

from ledger.storage import Database
from projections.base import BatchWriter

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from eventsourcing.persistence import Notification

    from ledger.application import Ledger
    from ledger.events import SubjectEvent
    from ledger.storage import PortableCursor
    from projections.base import Batch, ReadModel
    from projections.runner import Progress

__all__ = ["Difference", "compare_read_models"]

BATCH = 5000
COPY_BATCH = 5000
MAX_UNDECODABLE = 20  # named one by one; beyond, counted


@dataclass(frozen=True)
class Difference:
    kind: str  # read-model, undecodable
    message: str
    sequence: int | None = None


def compare_read_models(
    ledger: Ledger,
    models: Sequence[ReadModel],
    until: int,
    progress: Progress | None = None,
) -> list[Difference]:
    """Rebuild ``models`` from the events up to sequence ``until`` and compare
    each with its live tables; one difference per model at most."""
    with tempfile.TemporaryDirectory(prefix="kirjuri-verify-") as folder:
        datastore = SQLiteDatastore(str(Path(folder) / "scratch.db"), pool_size=1)
        try:
            scratch = Database(datastore)
            scratch.execute_script([s for model in models for s in model.ddl])
            found = _rebuild(ledger, models, scratch, until, progress)
            for model in models:
                difference = _compare_model(ledger.database, scratch, model)
                if difference is not None:
                    found.append(difference)
        finally:
            datastore.close()
    return found


def _rebuild(
    ledger: Ledger,
    models: Sequence[ReadModel],
    scratch: Database,
    until: int,
    progress: Progress | None,
) -> list[Difference]:
    """Every event up to ``until`` into the scratch tables; events that do
    not decode are skipped by the models that need them (as the live
    catch-up does) and reported."""
    problems: list[Difference] = []
    undecodable = 0
    after: int | None = None
    done = 0
    if progress is not None:
        progress.start(until)
    while True:
        notifications = [n for n in ledger.notifications(after, BATCH) if n.id <= until]
        if not notifications:
            break
        batch, bad = _decode(ledger, notifications)
        problems.extend(_undecodable(bad)[: max(MAX_UNDECODABLE - undecodable, 0)])
        undecodable += len(bad)
        skipped = {notification.id for notification, _ in bad}
        good = [item for item in batch if item[0].id not in skipped]
        for model in models:
            model.prepare(good if model.needs_events else batch)
        with scratch.transaction() as cursor:
            for model in models:
                _apply(cursor, model, good if model.needs_events else batch)
        after = notifications[-1].id
        done += len(notifications)
        if progress is not None:
            progress.advance(done)
    if undecodable > MAX_UNDECODABLE:
        problems.append(
            Difference(
                "undecodable",
                f"{undecodable - MAX_UNDECODABLE} more events do not decode",
            )
        )
    if progress is not None:
        progress.finish()
    return problems


def _undecodable(bad: list[tuple[Notification, str]]) -> list[Difference]:
    return [
        Difference(
            "undecodable",
            f"seq {n.id} (stream {n.originator_id}, version {n.originator_version})"
            f" does not decode ({error}): read models skip it",
            n.id,
        )
        for n, error in bad
    ]


def _decode(
    ledger: Ledger, notifications: Sequence[Notification]
) -> tuple[Batch, list[tuple[Notification, str]]]:
    batch: Batch = []
    bad: list[tuple[Notification, str]] = []
    for notification in notifications:
        try:
            event = ledger.to_event(notification)
        except Exception as err:  # any stored bytes may be garbage
            bad.append((notification, type(err).__name__))
            event = cast("SubjectEvent", None)
        batch.append((notification, event))
    return batch, bad


def _apply(cursor: PortableCursor, model: ReadModel, items: Batch) -> None:
    """A model's part of a batch; an event it cannot take is skipped, as the
    live catch-up skips it (and records it as a fault)."""
    cursor.execute("SAVEPOINT kirjuri_model")
    try:
        writer = BatchWriter(cursor)
        model.apply_batch(writer, items)
        writer.flush()
    except Exception:  # the same faults the live models skipped
        cursor.execute("ROLLBACK TO SAVEPOINT kirjuri_model")
        for item in items:
            cursor.execute("SAVEPOINT kirjuri_event")
            try:
                writer = BatchWriter(cursor)
                model.apply_batch(writer, [item])
                writer.flush()
            except Exception:  # skipped, as live
                cursor.execute("ROLLBACK TO SAVEPOINT kirjuri_event")
            cursor.execute("RELEASE SAVEPOINT kirjuri_event")
    cursor.execute("RELEASE SAVEPOINT kirjuri_model")


def _compare_model(
    live: Database, scratch: Database, model: ReadModel
) -> Difference | None:
    for table in model.tables:
        columns, keys = _shape(scratch, table)
        _copy_live(live, scratch, table, columns)
        where = _first_difference(scratch, table, columns, keys)
        if where is not None:
            return Difference("read-model", f"{model.name}: {table}: {where}")
    return None


def _shape(scratch: Database, table: str) -> tuple[list[str], list[str]]:
    """Columns, and the primary key's columns (all columns if it has none)."""
    with scratch.transaction(commit=False) as cursor:
        cursor.execute(f"PRAGMA table_info({table})")
        rows = cursor.fetchall()
    columns = [str(row["name"]) for row in rows]
    keys = [
        str(row["name"]) for row in sorted(rows, key=lambda r: r["pk"]) if row["pk"]
    ]
    return columns, keys or columns


def _copy_live(
    live: Database, scratch: Database, table: str, columns: list[str]
) -> None:
    """The live table into ``live_<table>`` of the scratch file, streamed."""
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    with scratch.transaction() as target:
        target.execute(f"DROP TABLE IF EXISTS live_{table}")
        target.execute(f"CREATE TABLE live_{table} AS SELECT * FROM {table} WHERE 0")
        for rows in _live_rows(live, f"SELECT {names} FROM {{p}}{table}"):
            target.raw.executemany(
                f"INSERT INTO live_{table} ({names}) VALUES ({marks})",
                [tuple(_plain(row[c]) for c in columns) for row in rows],
            )


def _live_rows(live: Database, statement: str) -> Iterator[list[Any]]:
    """Rows in chunks; on PostgreSQL through a server-side cursor, so a
    table of millions of rows is never held whole in memory."""
    with live.transaction(commit=False) as source:
        if live.backend == "postgres":
            cursor = source.raw.connection.cursor(name="kirjuri_compare")
        else:  # the library's wrapper of the sqlite3 cursor
            cursor = getattr(source.raw, "sqlite_cursor", source.raw)
        cursor.execute(live.sql(statement))
        while rows := cursor.fetchmany(COPY_BATCH):
            yield rows


def _plain(value: Any) -> Any:
    """A PostgreSQL value as SQLite stores the same: bytes, int, float, text."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _first_difference(
    scratch: Database, table: str, columns: list[str], keys: list[str]
) -> str | None:
    """The smallest key whose row differs, and how: missing, added, or the
    first column that differs."""
    names, order = ", ".join(columns), ", ".join(keys)
    with scratch.transaction(commit=False) as cursor:
        ends = []
        for left, right in ((table, f"live_{table}"), (f"live_{table}", table)):
            cursor.execute(
                f"SELECT * FROM (SELECT {names} FROM {left} EXCEPT"
                f" SELECT {names} FROM {right}) ORDER BY {order} LIMIT 1"
            )
            row = cursor.fetchone()
            if row is not None:
                ends.append(tuple(row[k] for k in keys))
        if not ends:
            return None
        key = min(ends, key=_sortable)
        condition = " AND ".join(f"{k} IS ?" for k in keys)
        rows = []
        for name in (table, f"live_{table}"):
            cursor.execute(f"SELECT {names} FROM {name} WHERE {condition}", key)
            rows.append(cursor.fetchone())
    return _describe(dict(zip(keys, key, strict=True)), columns, rows[0], rows[1])


def _sortable(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((value is not None, str(type(value)), value) for value in key)


def _describe(key: dict[str, Any], columns: list[str], rebuilt: Any, live: Any) -> str:
    where = "row " + ", ".join(f"{k}={_short(v)}" for k, v in key.items())
    if live is None:
        return f"{where} is missing (the log has it)"
    if rebuilt is None:
        return f"{where} is not in the log (added)"
    for column in columns:
        if rebuilt[column] != live[column]:
            return f"{where}: column {column} differs from the log"
    return f"{where} differs from the log"


def _short(value: Any) -> str:
    text = value.hex() if isinstance(value, bytes) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"
