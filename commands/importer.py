"""Bulk import of a CRM contact export (CSV), row by row, each row atomic.

Columns: company, business_id, name, email, phone, title (any but company
may be empty), and optionally source and at. Every value is attributed to a
source the user chose: the row's ``source`` column, else ``--source``; a
row with neither is rejected (no default source is ever made up).

A row for an email already in the ledger records the row's values as
collected for that subject, except values already held from the same source
(importing the same export again, or a later one, collects nothing twice).

The file is read as bytes, one row per line (a quoted value may not span
lines): a line that is not UTF-8, has an unclosed quote, or has more or fewer
fields than the header is rejected with its line number, and the good rows
are recorded. Each row's commands carry a `command_id` derived from the
row's content, its source, the reporting system and the command's kind, so
a re-run of the same file, even one cut short (kill -9, power loss), records
each row once.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commands.models import parse_command
from ledger.errors import InvalidCommand, KirjuriError, UnknownSubject
from ledger.formats import check_format

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from uuid import UUID

    from commands.service import Kirjuri
    from projections.runner import Progress

__all__ = ["ImportReport", "import_contacts"]

VALUE_COLUMNS = ("name", "email", "phone", "title")
REQUIRED_COLUMNS = ("company",)

Row = tuple[int, dict[str, str]]


@dataclass
class ImportReport:
    registered: int = 0
    updated: int = 0
    duplicates: int = 0  # rows already recorded, or holding nothing new
    rejected: list[tuple[int, str]] = field(default_factory=list)
    findings: int = 0
    last: int = 0  # the line of the last row recorded
    failure: Exception | None = None  # the run could not go on

    @property
    def recorded(self) -> int:
        return self.registered + self.updated


def read_rows(source: Iterable[bytes], rejected: list[tuple[int, str]]) -> list[Row]:
    """The rows of a CSV file by line number; bad lines go to `rejected`."""
    header: list[str] | None = None
    rows: list[Row] = []
    for number, raw in enumerate(source, 1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as err:
            if header is None:
                raise InvalidCommand("file", "the header is not UTF-8 text") from err
            rejected.append((number, f"not UTF-8 text (byte {err.start + 1})"))
            continue
        if not text.strip():
            continue
        try:
            fields = next(csv.reader([text.rstrip("\r\n")], strict=True))
        except csv.Error as err:
            if header is None:
                raise InvalidCommand("file", f"header: {err}") from err
            rejected.append((number, f"not a CSV row ({err})"))
            continue
        if header is None:
            header = [name.strip() for name in fields]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InvalidCommand("file", f"no column {missing[0]!r} in the header")
            continue
        if len(fields) != len(header):
            rejected.append(
                (number, f"has {len(fields)} fields, the header {len(header)}")
            )
            continue
        rows.append(
            (number, {k: v.strip() for k, v in zip(header, fields, strict=True) if k})
        )
    if header is None:
        raise InvalidCommand("file", "empty: no header line")
    return rows


def import_contacts(
    kirjuri: Kirjuri,
    source_file: Iterable[bytes],
    *,
    source: str | None,
    purposes: Iterable[str],
    reported_by: str = "import",
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
) -> ImportReport:
    """Record a CSV export in batches (one save each); a bad row is rejected
    whole with its line number, the good rows are recorded."""
    report = ImportReport()
    rows = read_rows(source_file, report.rejected)
    if progress is not None:
        progress.start(len(rows))
    context = _Context(kirjuri, source, tuple(purposes), reported_by, report)
    commands = context.commands(rows, stop)
    done = kirjuri.execute_many(commands, progress=progress, stop=stop)
    if progress is not None:
        progress.finish()
    report.registered = sum(1 for _, kind in done.done if kind == "register")
    report.updated = len({line for line, kind in done.done if kind == "collect"})
    report.duplicates += len({line for line, _ in done.duplicates})
    report.findings = done.findings
    report.rejected = sorted({*report.rejected, *done.rejected})
    report.last = done.last
    report.failure = done.failure
    return report


@dataclass
class _Context:
    """One import's settings, and what it saw in the file so far."""

    kirjuri: Kirjuri
    source: str | None
    purposes: tuple[str, ...]
    reported_by: str
    report: ImportReport
    # Values of earlier rows, by person: the same person again.
    seen: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)

    def commands(
        self, rows: list[Row], stop: Callable[[], bool] | None
    ) -> Iterator[tuple[int, Any]]:
        keys = {line: self._row_key(row) for line, row in rows}
        recorded = self.kirjuri.ledger.receipts(
            f"command:{key}:register" for key in keys.values()
        )
        for line, row in rows:
            if stop is not None and stop():
                return
            try:
                commands = self._row_commands(row, keys[line], recorded)
            except KirjuriError as err:
                self.report.rejected.append((line, str(err)))
                continue
            if not commands:
                self.report.duplicates += 1  # every value is already held
            for command in commands:
                yield line, command

    def _row_key(self, row: dict[str, str]) -> str:
        """The row's content with what it is attributed to, as a digest."""
        content = [
            row.get("source") or self.source,
            self.reported_by,
            sorted(row.items()),
        ]
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return "csv:" + hashlib.sha256(text.encode()).hexdigest()[:40]

    def _row_commands(
        self, row: dict[str, str], key: str, recorded: dict[str, Any]
    ) -> list[Any]:
        source = row.get("source") or self.source
        if not source:
            raise InvalidCommand("source", "not given (--source or a source column)")
        common = {
            "source": source,
            "reported_by": self.reported_by,
            **({"at": row["at"]} if row.get("at") else {}),
        }
        email = row.get("email", "")
        person = email.casefold() if "@" in email else ""
        receipt = recorded.get(f"command:{key}:register")
        if not person or receipt is not None:
            # A row recorded before is sent again: acknowledged as a duplicate.
            return [self._register(row, key, common, person, receipt)]
        if person not in self.seen:
            subject = self._existing(email)
            if subject is None:
                return [self._register(row, key, common, person, None)]
            self.seen[person] = self._held(subject)
        # Check every value first, so the row is written whole or not at all.
        policy = self.kirjuri.ledger.policy
        for column in VALUE_COLUMNS:
            problem = row.get(column) and check_format(
                policy.category(column).format, row[column]
            )
            if problem:
                raise InvalidCommand(column, problem)
        held = self.seen[person]
        new = [
            c
            for c in VALUE_COLUMNS
            if row.get(c) and _value(row, c, source) not in held
        ]
        held |= {_value(row, c, source) for c in new}
        return [
            parse_command(
                {
                    "kind": "collect",
                    "command_id": f"{key}:collect:{column}",
                    "subject": email,
                    "category": column,
                    "value": row[column],
                    "purposes": self.purposes,
                    **common,
                }
            )
            for column in new
        ]

    def _register(
        self,
        row: dict[str, str],
        key: str,
        common: dict[str, Any],
        person: str,
        receipt: Any,
    ) -> Any:
        command = parse_command(
            {
                "kind": "register",
                "command_id": f"{key}:register",
                "company": row.get("company", ""),
                "business_id": row.get("business_id") or None,
                "purposes": self.purposes,
                **{c: row[c] for c in VALUE_COLUMNS if row.get(c)},
                **common,
            }
        )
        if person:
            held = {
                _value(row, c, common["source"]) for c in VALUE_COLUMNS if row.get(c)
            }
            if receipt is not None:  # registered by an earlier import
                held |= self._held(receipt.subject_id)
            self.seen[person] = held
        return command

    def _held(self, subject: UUID) -> set[tuple[str, str, str]]:
        """The values held of a saved subject, as (category, value, source)."""
        ledger = self.kirjuri.ledger
        state = ledger.load(subject)
        found = set()
        for category in VALUE_COLUMNS:
            for held in state.values.get(category, ()):
                value = ledger.open_or_none(subject, category, held.value)
                if value is not None:
                    found.add(_normal(category, value, held.source))
        return found

    def _existing(self, email: str) -> UUID | None:
        if "@" not in email:
            return None
        try:
            return self.kirjuri.resolve(email)
        except UnknownSubject:
            return None


def _value(row: dict[str, str], column: str, source: str) -> tuple[str, str, str]:
    return _normal(column, row[column], source)


def _normal(category: str, value: str, source: str) -> tuple[str, str, str]:
    return (category, value.casefold() if category == "email" else value, source)
