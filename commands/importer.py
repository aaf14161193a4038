"""Bulk import of a CRM contact export (CSV), row by row, each row atomic.

Columns: company, business_id, name, email, phone, title (any but company
may be empty), and optionally source and at. A row for an email already in
the ledger records the row's values as collected again for that subject. A
bad row is rejected whole, with its line number, field and problem; the
good rows are recorded.
"""

from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from commands.models import parse_command
from ledger.errors import InvalidCommand, KirjuriError, UnknownSubject
from ledger.formats import check_format

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from commands.service import Kirjuri
    from projections.runner import Progress

__all__ = ["ImportReport", "import_contacts"]

VALUE_COLUMNS = ("name", "email", "phone", "title")
REQUIRED_COLUMNS = ("company",)


@dataclass
class ImportReport:
    registered: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    findings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "registered": self.registered,
            "updated": self.updated,
            "findings": self.findings,
            "rejected": [
                {"line": line, "error": error} for line, error in self.rejected
            ],
        }


def _rows(path: Path | TextIO) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    opened: contextlib.AbstractContextManager[TextIO]
    if not isinstance(path, Path):  # a stream (stdin): read, and left open
        opened = contextlib.nullcontext(path)
    else:
        try:
            opened = path.open(newline="", encoding="utf-8-sig")
        except OSError as err:
            raise InvalidCommand("file", f"{path}: {err.strerror}") from err
    with opened as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            where = path if isinstance(path, Path) else "stdin"
            raise InvalidCommand(
                "file", f"{where}: no column {missing[0]!r} in the header"
            )
        rows = [
            (
                reader.line_num,
                {k.strip(): (v or "").strip() for k, v in row.items() if k},
            )
            for row in reader
        ]
    return header, rows


def import_contacts(
    kirjuri: Kirjuri,
    path: Path | TextIO,
    *,
    source: str | None,
    purposes: Iterable[str],
    reported_by: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    """Record a CSV export in batches (one save each); a bad row is rejected
    whole with its line number, the good rows are recorded."""
    _, rows = _rows(path)
    report = ImportReport()
    if progress is not None:
        progress.start(len(rows))
    commands = _commands(kirjuri, rows, source, tuple(purposes), reported_by, report)
    done = kirjuri.execute_many(commands, progress=progress)
    if progress is not None:
        progress.finish()
    report.registered = sum(1 for _, kind in done.done if kind == "register")
    report.updated = len({line for line, kind in done.done if kind == "collect"})
    report.findings = done.findings
    report.rejected = sorted({*report.rejected, *done.rejected})
    return report


def _commands(  # noqa: PLR0917 - one import's context, passed through once
    kirjuri: Kirjuri,
    rows: list[tuple[int, dict[str, str]]],
    source: str | None,
    purposes: tuple[str, ...],
    reported_by: str,
    report: ImportReport,
) -> Iterator[tuple[int, Any]]:
    seen: set[str] = set()  # emails of earlier rows: the same person again
    for line, row in rows:
        email = row.get("email", "")
        try:
            known = email.casefold() in seen or _existing(kirjuri, email) is not None
            commands = _row_commands(kirjuri, row, known, source, purposes, reported_by)
        except KirjuriError as err:
            report.rejected.append((line, str(err)))
            continue
        if "@" in email:
            seen.add(email.casefold())
        for command in commands:
            yield line, command


def _row_commands(  # noqa: PLR0917 - one row's context
    kirjuri: Kirjuri,
    row: dict[str, str],
    known: bool,
    source: str | None,
    purposes: tuple[str, ...],
    reported_by: str,
) -> list[Any]:
    if not (row.get("source") or source):
        raise InvalidCommand("source", "not given (--source or a source column)")
    common = {
        "source": row.get("source") or source,
        "reported_by": reported_by,
        **({"at": row["at"]} if row.get("at") else {}),
    }
    if not known:
        return [
            parse_command(
                {
                    "kind": "register",
                    "company": row.get("company", ""),
                    "business_id": row.get("business_id") or None,
                    "purposes": purposes,
                    **{c: row[c] for c in VALUE_COLUMNS if row.get(c)},
                    **common,
                }
            )
        ]
    # Check every value first, so the row is written whole or not at all.
    policy = kirjuri.ledger.policy
    for column in VALUE_COLUMNS:
        problem = row.get(column) and check_format(
            policy.category(column).format, row[column]
        )
        if problem:
            raise InvalidCommand(column, problem)
    return [
        parse_command(
            {
                "kind": "collect",
                "subject": row["email"],
                "category": column,
                "value": row[column],
                "purposes": purposes,
                **common,
            }
        )
        for column in VALUE_COLUMNS
        if row.get(column)
    ]


def _existing(kirjuri: Kirjuri, email: str) -> str | None:
    if "@" not in email:
        return None
    try:
        return str(kirjuri.resolve(email))
    except UnknownSubject:
        return None
