"""The whole of a history query as CSV, page by page, so that a result of
any size streams in bounded memory (the columns of ``kirjuri history``)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from commands.usecases.views import HistoryRow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["PAGE", "history_csv"]

PAGE = 1000  # rows read per query


def history_csv(
    query: Callable[[int | None, int], list[HistoryRow]], page: int = PAGE
) -> Iterator[str]:
    """CSV text in chunks; ``query(after, limit)`` gives the page after a
    sequence.

    The first page is read before this returns: a bad filter is refused at
    once, never as a stream cut after its header."""
    first = query(None, page)
    return _chunks(query, first, page)


def _chunks(
    query: Callable[[int | None, int], list[HistoryRow]],
    rows: list[HistoryRow],
    page: int,
) -> Iterator[str]:
    columns = HistoryRow.columns()
    yield ",".join(columns) + "\r\n"
    while rows:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in rows:
            record = row.model_dump(mode="json")
            writer.writerow([record.get(c) for c in columns])
        yield out.getvalue()
        if len(rows) < page:
            return
        rows = query(rows[-1].notification_id, page)
