"""Bulk import of a CRM contact export (CSV), row by row, each row atomic.

Columns: company, business_id, name, email, phone, title (any but company
may be empty), and optionally source and at. A row for an email already in
the ledger records the row's values as collected again for that subject. A
bad row is rejected whole, with its line number, field and problem; the
good rows are recorded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commands.models import parse_command
from ledger.errors import InvalidCommand, KirjuriError, UnknownSubject
from ledger.formats import check_format

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

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


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as err:
        raise InvalidCommand("file", f"{path}: {err.strerror}") from err
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InvalidCommand(
                "file", f"{path}: no column {missing[0]!r} in the header"
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
    path: Path,
    *,
    source: str,
    purposes: Iterable[str],
    reported_by: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    _, rows = _rows(path)
    report = ImportReport()
    purposes = tuple(purposes)
    if progress is not None:
        progress.start(len(rows))
    for done, (line, row) in enumerate(rows, 1):
        try:
            _import_row(kirjuri, row, source, purposes, reported_by, report)
        except KirjuriError as err:
            report.rejected.append((line, str(err)))
        if progress is not None:
            progress.advance(done)
    if progress is not None:
        progress.finish()
    kirjuri.catch_up()
    return report


def _import_row(  # noqa: PLR0917 - one row's context, passed through once
    kirjuri: Kirjuri,
    row: dict[str, str],
    source: str,
    purposes: tuple[str, ...],
    reported_by: str,
    report: ImportReport,
) -> None:
    common = {
        "source": row.get("source") or source,
        "reported_by": reported_by,
        **({"at": row["at"]} if row.get("at") else {}),
    }
    existing = _existing(kirjuri, row.get("email", ""))
    if existing is None:
        command = parse_command(
            {
                "kind": "register",
                "company": row.get("company", ""),
                "business_id": row.get("business_id") or None,
                "purposes": purposes,
                **{c: row[c] for c in VALUE_COLUMNS if row.get(c)},
                **common,
            }
        )
        outcome = kirjuri.execute(command, catch_up=False)
        report.registered += 1
    else:
        # Check every value first, so the row is written whole or not at all.
        policy = kirjuri.ledger.policy
        for column in VALUE_COLUMNS:
            problem = row.get(column) and check_format(
                policy.category(column).format, row[column]
            )
            if problem:
                raise InvalidCommand(column, problem)
        commands = [
            parse_command(
                {
                    "kind": "collect",
                    "subject": existing,
                    "category": c,
                    "value": row[c],
                    "purposes": purposes,
                    **common,
                }
            )
            for c in VALUE_COLUMNS
            if row.get(c)
        ]
        outcomes = [kirjuri.execute(c, catch_up=False) for c in commands]
        report.updated += 1
        report.findings += sum(len(o.findings) for o in outcomes)
        return
    report.findings += len(outcome.findings)


def _existing(kirjuri: Kirjuri, email: str) -> str | None:
    if "@" not in email:
        return None
    try:
        return str(kirjuri.resolve(email))
    except UnknownSubject:
        return None
