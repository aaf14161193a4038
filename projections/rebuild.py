"""Rebuild read models into new tables and swap them in: reads keep answering.

A rebuild replays the whole log. Dropping the live tables first would leave
every read (a report, `history`, the API) without rows until it ends. So the
models are built into new tables beside the live ones (each name with
``__new``), with their own tracking rows, and without their secondary
indexes (rows go in faster; the indexes are built once, after). Then one
transaction, serialised with catch-ups, drops the old tables, renames the
new ones into their place, moves the tracking positions and faults over,
and names the indexes as the live ones were named. A catch-up then applies
what was appended during the rebuild.

On SQLite the swap builds the secondary indexes (index names are global and
SQLite cannot rename one); readers in WAL mode keep reading the old tables
until it commits. On PostgreSQL the indexes are built on the new tables
before the swap, which only renames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from ledger.storage import CATCH_UP_LOCK, Database
from projections.runner import FAULTS_DDL, REBUILD_BATCH, Projector

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore

    from ledger.storage import PortableCursor
    from projections.base import ReadModel
    from projections.runner import Progress

__all__ = ["SHADOW", "rebuild"]

log = structlog.get_logger("kirjuri.projections")

SHADOW = "__new"


def _is_index(statement: str) -> bool:
    return statement.lstrip().upper().startswith("CREATE INDEX")


class ShadowDatabase(Database):
    """The live database, with the models' table (and index) names given
    the ``__new`` suffix in every statement."""

    def __init__(self, live: Database, tables: list[str]) -> None:
        super().__init__(live.datastore)
        # Longest first, so that no name is changed inside a longer one.
        self._tables = sorted(tables, key=len, reverse=True)

    def sql(self, statement: str) -> str:
        try:
            return self._cache[statement]
        except KeyError:
            pass
        text = super().sql(statement)
        for table in self._tables:
            text = text.replace(table, table + SHADOW)
        self._cache[statement] = text
        return text


class ShadowProjector(Projector):
    """Builds the models into the new tables, tracked under their own names."""

    def tracking_name(self, model: ReadModel) -> str:
        return super().tracking_name(model) + SHADOW

    def fault_name(self, model: ReadModel) -> str:
        return model.name + SHADOW

    def _create_tables(self) -> None:
        self.database.execute_script(
            [
                FAULTS_DDL,
                *(s for model in self.models for s in model.ddl if not _is_index(s)),
            ]
        )

    def create_indexes(self) -> None:
        self.database.execute_script(
            [s for model in self.models for s in model.ddl if _is_index(s)]
        )


def rebuild(live: Projector, progress: Progress | None = None) -> int:
    """Every model of ``live`` again from the log, swapped in at the end;
    returns the events applied."""
    tables = [name for model in live.models for name in model.tables]
    shadow_db = ShadowDatabase(live.database, tables)
    _clear_shadow(live, tables)
    # The live models themselves: what they keep between batches (the
    # Merkle tree's edge) then describes the tables swapped in.
    models = live.models
    shadow = ShadowProjector(live.ledger, models, database=shadow_db)
    applied = shadow.catch_up(progress, batch_size=REBUILD_BATCH)
    postgres = live.database.backend == "postgres"
    if postgres:
        shadow.create_indexes()
    _swap(live, shadow, tables)
    live.forget_position()
    log.info("read models rebuilt and swapped in", models=[m.name for m in models])
    return applied + live.catch_up()


def _tracking_table(live: Projector) -> str:
    table = getattr(live.tracking, "tracking_table_name", "tracking")
    return live.database.sql("{p}") + table


def _clear_shadow(live: Projector, tables: list[str]) -> None:
    """What an interrupted rebuild left: its tables, positions and faults."""
    with live.database.transaction() as cursor:
        live.database.serialise(cursor, CATCH_UP_LOCK)
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {{p}}{table}{SHADOW}")
        for model in live.models:
            _delete_position(cursor, live, live.tracking_name(model) + SHADOW)
            cursor.execute(
                "DELETE FROM {p}kirjuri_projection_faults WHERE model = %s",
                (model.name + SHADOW,),
            )


def _delete_position(cursor: PortableCursor, live: Projector, name: str) -> None:
    cursor.raw.execute(
        live.database.sql(
            f"DELETE FROM {_tracking_table(live)} WHERE application_name = %s"
        ),
        (name,),
    )


def _swap(live: Projector, shadow: ShadowProjector, tables: list[str]) -> None:
    database = live.database
    tracking = _tracking_table(live)
    with database.transaction() as cursor:
        database.serialise(cursor, CATCH_UP_LOCK)
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {{p}}{table}")
            cursor.execute(f"ALTER TABLE {{p}}{table}{SHADOW} RENAME TO {table}")
        for model in live.models:
            name = live.tracking_name(model)
            _delete_position(cursor, live, name)
            cursor.raw.execute(
                database.sql(
                    f"UPDATE {tracking} SET application_name = %s"
                    " WHERE application_name = %s"
                ),
                (name, shadow.tracking_name(model)),
            )
            cursor.execute(
                "DELETE FROM {p}kirjuri_projection_faults WHERE model = %s",
                (model.name,),
            )
            cursor.execute(
                "UPDATE {p}kirjuri_projection_faults SET model = %s WHERE model = %s",
                (model.name, model.name + SHADOW),
            )
        if database.backend == "postgres":
            _rename_indexes(cursor, database, tables)
        else:
            for model in live.models:
                for statement in model.ddl:
                    if _is_index(statement):
                        cursor.execute(statement)


def _rename_indexes(
    cursor: PortableCursor, database: Database, tables: list[str]
) -> None:
    """The new tables' indexes (primary keys, unique, secondary) take the
    names the old ones had, so that the next rebuild's names are free."""
    store: PostgresDatastore = database.datastore  # type: ignore[assignment]
    cursor.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s"
        " AND tablename = ANY(%s)",
        (store.schema, tables),
    )
    names = [row["indexname"] for row in cursor.fetchall()]
    for name in names:
        if SHADOW in name:
            cursor.execute(
                f'ALTER INDEX {{p}}"{name}" RENAME TO "{name.replace(SHADOW, "")}"'
            )
