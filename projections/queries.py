"""Reads of the read models: what reports, lookups and auditors ask.

Every function takes the `Database` and returns plain rows (dicts); none
writes. Personal values come back sealed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ledger.clock import local_text
from ledger.clock import today as clock_today
from ledger.errors import InvalidCommand
from ledger.events import EVENT_TYPES
from projections.base import iso

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime

    from ledger.policy import Policy
    from ledger.storage import Database

__all__ = [
    "HistoryFilter",
    "contact",
    "disclosures_of",
    "erasures",
    "event_sequences",
    "finding",
    "findings",
    "history",
    "request_subject",
    "requests",
    "subject_cards",
    "subjects_by_lookup",
    "subjects_by_prefix",
    "suppressed",
    "suppression_list",
    "validate_filter",
]


# Columns of moments: stored as UTC text so that they sort, handed out in
# the ledger's zone with its offset (what a person or a program is shown).
_MOMENTS = ("occurred_at", "recorded_at", "registered_at", "left_at", "erased_at")


def _rows(
    database: Database, statement: str, params: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    with database.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        rows = [dict(row) for row in cursor.fetchall()]
    for row in rows:
        for column in _MOMENTS:
            if row.get(column):
                row[column] = local_text(row[column])
    return rows


def subjects_by_lookup(database: Database, lookup: str) -> list[str]:
    rows = _rows(
        database,
        "SELECT subject_id FROM {p}kirjuri_lookup WHERE lookup = %s"
        " ORDER BY subject_id",
        (lookup,),
    )
    return [row["subject_id"] for row in rows]


def subject_cards(database: Database) -> list[dict[str, Any]]:
    """Every subject not erased with its sealed company, names and emails,
    oldest first (for a search that opens them: names are never in clear)."""
    return _rows(
        database,
        "SELECT s.subject_id, s.registered_at, s.company_name, v.category, v.sealed"
        " FROM {p}kirjuri_subjects s LEFT JOIN {p}kirjuri_values v"
        " ON v.subject_id = s.subject_id AND v.category IN ('name', 'email')"
        " WHERE s.erased_at IS NULL"
        " ORDER BY s.registered_at, s.subject_id, v.version",
    )


def subjects_by_prefix(database: Database, prefix: str) -> list[str]:
    rows = _rows(
        database,
        "SELECT subject_id FROM {p}kirjuri_subjects"
        " WHERE substr(subject_id, 1, %s) = %s ORDER BY subject_id LIMIT 2",
        (len(prefix), prefix),
    )
    return [row["subject_id"] for row in rows]


def suppressed(database: Database, lookup: str) -> list[dict[str, Any]]:
    """Objections that outlived an erasure, for a keyed hash (e.g. an email)."""
    return _rows(
        database,
        "SELECT scope, since FROM {p}kirjuri_suppression WHERE lookup = %s"
        " ORDER BY since",
        (lookup,),
    )


def suppression_list(database: Database) -> dict[str, list[dict[str, Any]]]:
    """The whole suppression list by keyed hash (for a batch to consult)."""
    listed: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(
        database,
        "SELECT lookup, scope, since FROM {p}kirjuri_suppression ORDER BY since",
    ):
        listed.setdefault(row.pop("lookup"), []).append(row)
    return listed


def suppressions_of(database: Database, subject_id: str) -> list[dict[str, Any]]:
    """The objections of one subject kept after its erasure (keyed hashes)."""
    return _rows(
        database,
        "SELECT DISTINCT scope, since FROM {p}kirjuri_suppression"
        " WHERE subject_id = %s ORDER BY since, scope",
        (subject_id,),
    )


def erasures(database: Database, subject_id: str) -> list[dict[str, Any]]:
    return _rows(
        database,
        "SELECT * FROM {p}kirjuri_erasures WHERE subject_id = %s"
        " ORDER BY notification_id",
        (subject_id,),
    )


def request_subject(database: Database, request_id: str) -> str | None:
    rows = _rows(
        database,
        "SELECT subject_id FROM {p}kirjuri_requests WHERE request_id = %s",
        (request_id,),
    )
    return rows[0]["subject_id"] if rows else None


def contact(database: Database, subject_id: str) -> dict[str, Any] | None:
    """The subject row, its values (history) and switches, oldest first."""
    subjects = _rows(
        database,
        "SELECT * FROM {p}kirjuri_subjects WHERE subject_id = %s",
        (subject_id,),
    )
    if not subjects:
        return None
    values = _rows(
        database,
        "SELECT * FROM {p}kirjuri_values WHERE subject_id = %s"
        " ORDER BY occurred_at, version",
        (subject_id,),
    )
    switches = _rows(
        database,
        "SELECT * FROM {p}kirjuri_switches WHERE subject_id = %s"
        " ORDER BY occurred_at, version",
        (subject_id,),
    )
    return {"subject": subjects[0], "values": values, "switches": switches}


def disclosures_of(database: Database, subject_id: str) -> list[dict[str, Any]]:
    return _rows(
        database,
        "SELECT * FROM {p}kirjuri_disclosures WHERE subject_id = %s"
        " ORDER BY occurred_at, version",
        (subject_id,),
    )


def requests(
    database: Database,
    subject_id: str | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Requests, each with ``overdue`` (open past due, or answered late)."""
    where, params = ("WHERE subject_id = %s", (subject_id,)) if subject_id else ("", ())
    rows = _rows(
        database,
        f"SELECT * FROM {{p}}kirjuri_requests {where} ORDER BY received_on, request_id",
        params,
    )
    today_text = (today or clock_today()).isoformat()
    for row in rows:
        if row["status"] == "open":
            row["overdue"] = today_text > row["due_on"]
        else:
            row["overdue"] = row["answered_on"] > row["due_on"]
    return rows


def findings(
    database: Database,
    subject_id: str | None = None,
    *,
    unacknowledged: bool = False,
) -> list[dict[str, Any]]:
    """Findings, oldest first, each with its acknowledgements (oldest first)."""
    clauses, params = [], []
    if subject_id:
        clauses.append("f.subject_id = %s")
        params.append(subject_id)
    if unacknowledged:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM {p}kirjuri_finding_acks a"
            " WHERE a.finding_id = f.notification_id)"
        )
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = _rows(
        database,
        f"SELECT f.* FROM {{p}}kirjuri_findings f {where} ORDER BY f.notification_id",
        tuple(params),
    )
    acks = _acknowledgements(database, subject_id)
    for row in rows:
        row["finding_id"] = row["notification_id"]
        row["acknowledgements"] = acks.get(row["notification_id"], [])
    return rows


def finding(database: Database, finding_id: int) -> dict[str, Any] | None:
    """One finding by its id (its sequence number), with its acknowledgements."""
    rows = _rows(
        database,
        "SELECT * FROM {p}kirjuri_findings WHERE notification_id = %s",
        (finding_id,),
    )
    if not rows:
        return None
    acks = _acknowledgements(database, rows[0]["subject_id"])
    return rows[0] | {
        "finding_id": finding_id,
        "acknowledgements": acks.get(finding_id, []),
    }


def _acknowledgements(
    database: Database, subject_id: str | None
) -> dict[int, list[dict[str, Any]]]:
    where, params = ("WHERE subject_id = %s", (subject_id,)) if subject_id else ("", ())
    found: dict[int, list[dict[str, Any]]] = {}
    for row in _rows(
        database,
        f"SELECT * FROM {{p}}kirjuri_finding_acks {where} ORDER BY notification_id",
        params,
    ):
        row["sequence"] = row["notification_id"]
        found.setdefault(row["finding_id"], []).append(row)
    return found


@dataclass(frozen=True)
class HistoryFilter:
    subject: str | None = None
    recipient: str | None = None
    purpose: str | None = None
    category: str | None = None
    event_type: str | None = None
    country: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None
    after: int | None = None  # a page's cursor: the last sequence seen


_COUNTRY = re.compile(r"[A-Z]{2}\Z")


def validate_filter(wanted: HistoryFilter, policies: Sequence[Policy]) -> HistoryFilter:
    """The filter checked against what can match, with names normalised.

    A misspelt recipient, purpose, category, event type or country would match
    nothing, and an empty answer reads as "never disclosed": each must be one
    the adopted policies (any version, so old events stay findable) or the
    event types know. Errors name the CLI's flag."""
    known = {
        "recipient": {r.id for p in policies for r in p.recipients},
        "purpose": {r.id for p in policies for r in p.purposes},
        "category": {r.id for p in policies for r in p.categories},
    }
    for flag, values in known.items():
        given = getattr(wanted, flag)
        if given is not None and given not in values:
            raise InvalidCommand(
                flag,
                f"not a {flag} of the adopted policy; known: "
                + ", ".join(sorted(values)),
            )
    event_type = wanted.event_type
    if event_type is not None:
        names = {name.lower(): name for name in EVENT_TYPES}
        if event_type.lower() not in names:
            raise InvalidCommand(
                "type", "not an event type; known: " + ", ".join(sorted(EVENT_TYPES))
            )
        event_type = names[event_type.lower()]
    country = wanted.country
    if country is not None:
        country = country.strip().upper()
        if not _COUNTRY.match(country):
            raise InvalidCommand(
                "country", "must be an ISO 3166 alpha-2 code such as FI or US"
            )
    checked = replace(wanted, event_type=event_type, country=country)
    _check_bounds(checked)
    return checked


def _check_bounds(wanted: HistoryFilter) -> None:
    if wanted.limit is not None and wanted.limit < 1:
        raise InvalidCommand("limit", "must be 1 or more")
    if (
        wanted.since is not None
        and wanted.until is not None
        and wanted.since >= wanted.until
    ):
        raise InvalidCommand("until", "must be later than since")


def history(database: Database, wanted: HistoryFilter) -> list[dict[str, Any]]:
    """Audit-index rows matching every given filter exactly, in log order."""
    _check_bounds(wanted)
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("subject_id", wanted.subject),
        ("recipient", wanted.recipient),
        ("event_type", wanted.event_type),
        ("country", wanted.country),
    ):
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    # Lists are stored comma-joined; match a whole element, with LIKE's
    # wildcards ("%", "_") in the value taken literally.
    for column, value in (
        ("purposes", wanted.purpose),
        ("categories", wanted.category),
    ):
        if value is not None:
            clauses.append(f"(',' || {column} || ',') LIKE %s ESCAPE '!'")
            params.append(f"%,{_literal(value)},%")
    if wanted.since is not None:
        clauses.append("occurred_at >= %s")
        params.append(iso(wanted.since))
    if wanted.until is not None:
        clauses.append("occurred_at < %s")
        params.append(iso(wanted.until))
    if wanted.after is not None:
        clauses.append("notification_id > %s")
        params.append(wanted.after)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    limit = f" LIMIT {int(wanted.limit)}" if wanted.limit else ""
    return _rows(
        database,
        f"SELECT * FROM {{p}}kirjuri_audit {where} ORDER BY notification_id{limit}",
        tuple(params),
    )


def event_sequences(
    database: Database, subject_id: str, versions: Sequence[int]
) -> list[int]:
    """The log sequence numbers of a subject's events, by their versions."""
    if not versions:
        return []
    marks = ", ".join(["%s"] * len(versions))
    rows = _rows(
        database,
        f"SELECT notification_id FROM {{p}}kirjuri_audit WHERE subject_id = %s"
        f" AND version IN ({marks}) ORDER BY notification_id",
        (subject_id, *versions),
    )
    return [int(row["notification_id"]) for row in rows]


def _literal(value: str) -> str:
    """A value for LIKE that matches only itself."""
    return value.replace("!", "!!").replace("%", "!%").replace("_", "!_")
