"""Rows out: an aligned table for people, JSON lines or CSV for programs."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from ledger.clock import local_text

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["counted", "write_rows"]

_MAX_CELL = 40


def counted(number: int, noun: str) -> str:
    """ "1 event", "2 events": a count as a person would write it."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _plain(value: Any) -> Any:
    """A moment as ISO text in the ledger's zone with its offset."""
    return local_text(value) if isinstance(value, datetime) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(_plain(value))
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def write_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    form: str,
    out: TextIO,
) -> None:
    if form == "jsonl":
        for row in rows:
            record = {c: _plain(row.get(c)) for c in columns}
            out.write(json.dumps(record, default=str) + "\n")
    elif form == "csv":
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({c: _plain(row.get(c)) for c in columns} for row in rows)
    else:
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        widths = [
            max([len(c)] + [len(line[i]) for line in cells])
            for i, c in enumerate(columns)
        ]
        out.write(
            "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
            + "\n"
        )
        for line in cells:
            out.write(
                "  ".join(
                    v.ljust(w) for v, w in zip(line, widths, strict=True)
                ).rstrip()
                + "\n"
            )
