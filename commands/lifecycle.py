"""Data lifecycle verbs: erase --dry-run, retention sweep and report, keys rotate."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from commands.models import parse_moment
from commands.output import write_rows
from commands.progress import progress_for
from commands.service import Kirjuri
from ledger import clock
from ledger import events as ev
from ledger.errors import InvalidCommand
from ledger.keys import KEY_BYTES, LEDGER_SUBJECT, MasterKey
from ledger.retention import holdings, plan_erasure

if TYPE_CHECKING:
    import argparse
    from datetime import datetime

    from commands.bootstrap import Settings

__all__ = ["add_lifecycle_verbs", "rotate_master_key", "sweep"]

log = structlog.get_logger("kirjuri.lifecycle")
EX_OK = 0


def add_lifecycle_verbs(sub: Any) -> None:
    retention = sub.add_parser("retention", help="retention: sweep due data, or report")
    retention.add_argument("action", choices=("sweep", "report"))
    retention.add_argument("--as-of", help="judge as of this date (default now)")
    retention.add_argument("--dry-run", action="store_true", help="say, do not destroy")
    retention.add_argument(
        "--format", choices=("table", "jsonl", "csv"), default="table"
    )
    retention.set_defaults(handler=run_retention)


def preview_erasure(
    kirjuri: Kirjuri, reference: str, remove_objection: bool
) -> dict[str, Any]:
    """What ``erase`` would destroy and keep, writing nothing."""
    subject = kirjuri.resolve(reference)
    state = kirjuri.ledger.load(subject)
    plan = plan_erasure(
        kirjuri.ledger.policy,
        state,
        kirjuri.ledger.keys.live_classes(subject),
        clock.now(),
        remove_objection=remove_objection,
    )
    return {
        "subject": str(subject),
        "would_destroy": list(plan.destroy),
        "would_keep": [k.model_dump(mode="json") for k in plan.keep],
    }


def _as_of(text: str | None) -> datetime:
    return clock.now() if text is None else parse_moment(text, "as-of")


def _subjects_with_keys(kirjuri: Kirjuri) -> list[UUID]:
    with kirjuri.ledger.database.transaction(commit=False) as cursor:
        cursor.execute(
            "SELECT DISTINCT subject_id FROM {p}kirjuri_data_keys"
            " WHERE wrapped IS NOT NULL AND subject_id <> %s",
            (str(LEDGER_SUBJECT),),
        )
        return sorted(UUID(row["subject_id"]) for row in cursor.fetchall())


def sweep(kirjuri: Kirjuri, as_of: datetime, *, dry_run: bool) -> list[dict[str, Any]]:
    """Destroy the data keys whose retention has ended, one event each.

    Also finishes an erasure interrupted after it was recorded (its keys are
    destroyed here; the event already says so)."""
    if not dry_run and as_of > clock.now() + clock.CLOCK_SKEW:
        # Destroying keys as of a future date would erase data still due.
        raise InvalidCommand("as-of", "is in the future: only --dry-run looks ahead")
    ledger, done = kirjuri.ledger, []
    subjects = _subjects_with_keys(kirjuri)
    progress = progress_for("retention sweep")
    if progress is not None:
        progress.start(len(subjects))
    for number, subject in enumerate(subjects, 1):
        state = ledger.load(subject)
        live = ledger.keys.live_classes(subject)
        unfinished = [c for c in live if c in state.destroyed]
        due = [
            h
            for h in holdings(ledger.policy, state, live, as_of)
            if h.is_due(as_of.date()) and h.retention not in state.destroyed
        ]
        if due:
            done.append(
                {
                    "subject": str(subject),
                    "destroyed": ",".join(h.retention for h in due),
                    "due": min(str(h.due) for h in due),
                }
            )
        if not dry_run and (due or unfinished):
            _expire(kirjuri, state.id, state.version, due, as_of)
            ledger.keys.destroy(subject, [*unfinished, *(h.retention for h in due)])
        if progress is not None:
            progress.advance(number)
    if progress is not None:
        progress.finish()
    if not dry_run:
        kirjuri.catch_up()
    return done


def _expire(
    kirjuri: Kirjuri, subject: UUID, version: int, due: list[Any], at: datetime
) -> None:
    if not due:
        return
    now = clock.now()
    ground = "; ".join(
        f"{h.retention}: retention ended {h.due} ({h.ground})" for h in due
    )
    kirjuri.ledger.append(
        [
            ev.RetentionExpired(
                originator_id=subject,
                originator_version=version + 1,
                occurred_at=at,
                recorded_at=now,
                reported_by="retention_sweep",
                destroyed=tuple(h.retention for h in due),
                ground=ground[:2000],
            )
        ]
    )


def retention_report(kirjuri: Kirjuri, as_of: datetime) -> list[dict[str, Any]]:
    """Per category: how many subjects hold it, on which ground, when due."""
    ledger = kirjuri.ledger
    rows: dict[str, dict[str, Any]] = {}
    today = as_of.date()
    for subject in _subjects_with_keys(kirjuri):
        state = ledger.load(subject)
        for h in holdings(
            ledger.policy, state, ledger.keys.live_classes(subject), as_of
        ):
            for category in h.categories:
                row = rows.setdefault(
                    category,
                    {
                        "category": category,
                        "retention": h.retention,
                        "subjects": 0,
                        "overdue": 0,
                        "next_due": None,
                        "ground": h.ground,
                    },
                )
                row["subjects"] += 1
                if h.due is not None:
                    row["overdue"] += h.due < today
                    if row["next_due"] is None or str(h.due) < row["next_due"]:
                        row["next_due"] = str(h.due)
    return sorted(rows.values(), key=lambda r: (-r["overdue"], r["next_due"] or "9999"))


def run_retention(args: argparse.Namespace, settings: Settings) -> int:
    as_of = _as_of(args.as_of)
    with Kirjuri.open(settings) as kirjuri:
        if args.action == "sweep":
            rows = sweep(kirjuri, as_of, dry_run=args.dry_run)
            columns: tuple[str, ...] = ("subject", "destroyed", "due")
        else:
            rows = retention_report(kirjuri, as_of)
            columns = (
                "category",
                "retention",
                "subjects",
                "overdue",
                "next_due",
                "ground",
            )
    write_rows(rows, columns, args.format, sys.stdout)
    if args.action == "sweep":
        verb = "would destroy" if args.dry_run else "destroyed"
        print(f"{verb} keys of {len(rows)} subjects", file=sys.stderr)
    return EX_OK


def rotate_master_key(kirjuri: Kirjuri, new: MasterKey) -> int:
    """Re-wrap every live data key under ``new`` in one transaction; the old
    wrapped forms are then scrubbed from the key table."""
    old = kirjuri.ledger.keys.master
    database = kirjuri.ledger.database
    with database.transaction() as cursor:
        cursor.execute(
            "SELECT subject_id, retention_class, wrapped FROM {p}kirjuri_data_keys"
            " WHERE wrapped IS NOT NULL"
        )
        rows = cursor.fetchall()
        rewrapped = []
        for row in rows:
            subject, retention = UUID(row["subject_id"]), row["retention_class"]
            key = old.unwrap(bytes(row["wrapped"]), subject, retention)
            rewrapped.append(
                (
                    new.wrap(key, subject, retention),
                    new.key_id,
                    row["subject_id"],
                    retention,
                )
            )
        if database.backend == "sqlite":
            cursor.execute("PRAGMA secure_delete = ON")
        cursor.executemany(
            "UPDATE {p}kirjuri_data_keys SET wrapped = %s, master_key_id = %s"
            " WHERE subject_id = %s AND retention_class = %s",
            rewrapped,
        )
    kirjuri.ledger.keys.master = new
    database.scrub("kirjuri_data_keys")
    log.warning(
        "master key rotated", keys=len(rewrapped), old=old.key_id, new=new.key_id
    )
    return len(rewrapped)


def run_rotate(args: argparse.Namespace, settings: Settings) -> int:
    target = args.new_key_file
    if target is None:
        if settings.master_key is not None:
            raise InvalidCommand(
                "new-key-file", "KIRJURI_MASTER_KEY is set: name a file"
            )
        target = settings.key_file
    key = os.urandom(KEY_BYTES)
    pending = target.with_name(target.name + ".new")
    with Kirjuri.open(settings) as kirjuri:
        # The new key is on disk before any data key is wrapped under it; a
        # crash in between is settled at the next start (bootstrap).
        fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        count = rotate_master_key(kirjuri, MasterKey(key))
    os.replace(pending, target)  # the old key file is gone once this returns
    print(json.dumps({"rewrapped": count, "key_file": str(target)}))
    if settings.master_key is not None:
        print("kirjuri: set KIRJURI_MASTER_KEY from the new key file", file=sys.stderr)
    return EX_OK
