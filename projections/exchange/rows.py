"""The consent steps the exchange documents are made of, read in pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.clock import local_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ledger.storage import Database

__all__ = ["consent_steps", "consent_steps_by_subject"]

_ONE = (
    "SELECT subject_id, version, name, active, occurred_at, channel, evidence"
    " FROM {p}kirjuri_switches WHERE kind = 'consent' AND subject_id = %s"
    " ORDER BY occurred_at, version"
)
# The steps of the next subjects after one, so a bulk run holds one page.
_PAGE = (
    "SELECT subject_id, version, name, active, occurred_at, channel, evidence"
    " FROM {p}kirjuri_switches WHERE kind = 'consent' AND subject_id IN ("
    "  SELECT DISTINCT subject_id FROM {p}kirjuri_switches"
    "  WHERE kind = 'consent' AND subject_id > %s ORDER BY subject_id LIMIT %s)"
    " ORDER BY subject_id, occurred_at, version"
)


def _read(
    database: Database, statement: str, params: tuple[Any, ...]
) -> list[dict[str, Any]]:
    with database.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        rows = [dict(row) for row in cursor.fetchall()]
    for row in rows:
        row["occurred_at"] = local_text(row["occurred_at"])
    return rows


def consent_steps(database: Database, subject_id: str) -> list[dict[str, Any]]:
    """One subject's consent steps (given, withdrawn), oldest first."""
    return _read(database, _ONE, (subject_id,))


def consent_steps_by_subject(
    database: Database, page: int = 200
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every subject with a consent step, in id order, with its steps; reads
    ``page`` subjects at a time."""
    after = ""
    while True:
        rows = _read(database, _PAGE, (after, page))
        if not rows:
            return
        subject = rows[0]["subject_id"]
        steps: list[dict[str, Any]] = []
        for row in rows:
            if row["subject_id"] != subject:
                yield subject, steps
                subject, steps = row["subject_id"], []
            steps.append(row)
        yield subject, steps
        after = subject
