"""Data lifecycle: erasure preview, retention sweep and report, key rotation."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import structlog

from commands.usecases.views import ErasurePreview, RetentionRow, Rotation, SweepRow
from ledger import clock
from ledger import events as ev
from ledger.errors import InvalidCommand
from ledger.keys import (
    KEY_BYTES,
    KeyFileError,
    MasterKey,
    sync_folder,
    write_key_file,
)
from ledger.retention import holdings, plan_erasure

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime
    from pathlib import Path
    from uuid import UUID

    from commands.service import Kirjuri
    from projections.runner import Progress

__all__ = [
    "check_key_target",
    "preview_erasure",
    "retention_report",
    "rotate_master_key",
    "sweep",
]

log = structlog.get_logger("kirjuri.lifecycle")


def preview_erasure(
    kirjuri: Kirjuri, subject: UUID, remove_objection: bool
) -> ErasurePreview:
    """What ``erase`` would destroy and keep, writing nothing."""
    state = kirjuri.ledger.load(subject)
    plan = plan_erasure(
        kirjuri.ledger.policy,
        state,
        kirjuri.ledger.keys.live_classes(subject),
        clock.now(),
        remove_objection=remove_objection,
    )
    return ErasurePreview(
        subject=str(subject),
        would_destroy=tuple(plan.destroy),
        would_keep=tuple(k.model_dump(mode="json") for k in plan.keep),
    )


def sweep(
    kirjuri: Kirjuri,
    as_of: datetime,
    *,
    dry_run: bool,
    progress: Progress | None = None,
) -> list[SweepRow]:
    """Destroy the data keys whose retention has ended, one event each.

    Also finishes an erasure interrupted after it was recorded (its keys are
    destroyed here; the event already says so)."""
    if not dry_run and as_of > clock.now() + clock.CLOCK_SKEW:
        # Destroying keys as of a future date would erase data still due.
        raise InvalidCommand("as-of", "is in the future: only --dry-run looks ahead")
    ledger, done = kirjuri.ledger, []
    subjects = ledger.keys.subjects_with_live_keys()
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
        destroy = [*unfinished, *(h.retention for h in due)]
        if destroy:
            # An interrupted erasure's keys are destroyed now: counted too.
            done.append(
                SweepRow(
                    subject=str(subject),
                    destroyed=",".join(destroy),
                    due=min(str(h.due) for h in due) if due else "recorded earlier",
                )
            )
        if not dry_run and destroy:
            _expire(kirjuri, state.id, state.version, due, as_of)
            ledger.keys.destroy(subject, destroy)
        if progress is not None:
            progress.advance(number)
    if progress is not None:
        progress.finish()
    if not dry_run:
        ledger.keys.scrub_pending()  # one a reader held up, if any
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


def retention_report(
    kirjuri: Kirjuri,
    as_of: datetime,
    progress: Progress | None = None,
    *,
    only: Collection[str] = (),
    states_as_of: datetime | None = None,
) -> list[RetentionRow]:
    """Per category: how many subjects hold it, on which ground, when due.
    ``only`` narrows it to some subjects, and ``states_as_of`` takes each
    subject as it stood then (a regulator's reach and window)."""
    ledger = kirjuri.ledger
    rows: dict[str, dict[str, Any]] = {}
    today = as_of.date()
    subjects = ledger.keys.subjects_with_live_keys()
    if only:
        subjects = [s for s in subjects if str(s) in only]
    if progress is not None:
        progress.start(len(subjects))
    for number, subject in enumerate(subjects, 1):
        state = (
            ledger.load(subject)
            if states_as_of is None
            else ledger.state_as_of(subject, as_of=states_as_of)
        )
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
        if progress is not None:
            progress.advance(number)
    if progress is not None:
        progress.finish()
    ordered = sorted(
        rows.values(), key=lambda r: (-r["overdue"], r["next_due"] or "9999")
    )
    return [RetentionRow.model_validate(row) for row in ordered]


def rotate_master_key(kirjuri: Kirjuri, target: Path | None) -> Rotation:
    """A new master key, written to ``target`` (default: the key file), and
    every live data key re-wrapped under it; the old key is then gone.

    Each step is recorded first, so that a crash anywhere leaves the next
    start (``bootstrap.finish_rotation``) the key the data keys need: the
    rotation is noted in the key store, the new key is written and synced
    beside ``target``, the data keys are re-wrapped in one transaction, and
    only then does the new key take ``target``'s place."""
    settings, keys = kirjuri.settings, kirjuri.ledger.keys
    if target is None:
        if settings.master_key is not None:
            raise InvalidCommand(
                "new-key-file", "KIRJURI_MASTER_KEY is set: name a file"
            )
        target = settings.key_file
    target = target.absolute()
    check_key_target(target, None if settings.master_key else settings.key_file)
    pending = target.with_name(target.name + ".new")
    if pending.exists() or pending.is_symlink():
        raise InvalidCommand(
            "new-key-file", f"{pending}: left from an earlier rotation; remove it"
        )
    raw = os.urandom(KEY_BYTES)
    old, new = keys.master, MasterKey(raw, str(target))
    keys.begin_rotation(
        {"target": str(target), "pending": str(pending), "key_id": new.key_id}
    )
    try:
        write_key_file(pending, raw.hex() + "\n")
    except OSError as err:
        keys.end_rotation()
        raise KeyFileError(f"new-key-file: {pending}: {err.strerror}") from err
    count = keys.rotate(new)
    try:
        os.replace(pending, target)  # the old key file is gone once this returns
        sync_folder(target)
    except OSError as err:
        # The data keys are wrapped under the new key: it stays where it is
        # and the next start keeps trying to put it in place.
        raise KeyFileError(
            f"new-key-file: {target}: {err.strerror}; the new master key is in "
            f"{pending}: move it there (the data keys need it)"
        ) from err
    keys.end_rotation()
    log.warning("master key rotated", keys=count, old=old.key_id, new=new.key_id)
    return Rotation(rewrapped=count, key_file=str(target))


def check_key_target(target: Path, key_file: Path | None) -> None:
    """Refuse to put a key over anything but the ledger's own key file."""
    if target.is_symlink():
        raise InvalidCommand("new-key-file", f"{target}: is a symbolic link")
    if not target.exists():
        if not target.parent.is_dir():
            raise InvalidCommand("new-key-file", f"{target.parent}: no such folder")
        return
    if not target.is_file():
        raise InvalidCommand("new-key-file", f"{target}: is not a regular file")
    if key_file is None or not target.samefile(key_file):
        raise InvalidCommand(
            "new-key-file",
            f"{target}: exists; only the ledger's own key file is replaced",
        )
