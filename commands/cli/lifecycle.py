"""Lifecycle verbs: the retention report and sweep (erase and holds are generated)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, file_name, moment, print_rows, progress
from commands.cli.query import FORMATS
from commands.service import Kirjuri
from commands.usecases.views import RetentionRow, SweepRow

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    retention = sub.add_parser(
        "retention", description="retention: sweep due data, or report", **kw
    )
    retention.add_argument("action", choices=("sweep", "report"))
    retention.add_argument("--as-of", help="judge as of this date (default now)")
    retention.add_argument("--dry-run", action="store_true", help="say, do not destroy")
    retention.add_argument("--format", choices=FORMATS, default="table")
    retention.set_defaults(handler=run_retention)

    copy = sub.add_parser(
        "backup",
        description="backup: a consistent copy of a live SQLite ledger (no keys)",
        **kw,
    )
    copy.add_argument(
        "dest", type=lambda text: Path(file_name(text)), help="a new file"
    )
    copy.set_defaults(handler=run_backup)


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        made = kirjuri.backup(args.dest)
    print(made.model_dump_json())
    print(
        "kirjuri: the keys are not in the backup: back up "
        f"{' and '.join(made.not_included)} apart from it",
        file=sys.stderr,
    )
    return EX_OK


def run_retention(args: argparse.Namespace, settings: Settings) -> int:
    as_of = moment(args.as_of, "as-of")
    bar = progress(args, f"retention {args.action}")
    with Kirjuri.open(settings) as kirjuri:
        if args.action == "report":
            print_rows(
                kirjuri.retention_report(as_of, progress=bar), RetentionRow, args.format
            )
            return EX_OK
        rows = kirjuri.sweep(as_of, dry_run=args.dry_run, progress=bar)
        pending = kirjuri.scrub_pending()
    print_rows(rows, SweepRow, args.format)
    verb = "would destroy" if args.dry_run else "destroyed"
    print(f"{verb} keys of {len(rows)} subjects", file=sys.stderr)
    if pending:
        print(
            "kirjuri: scrub pending: a reader holds the database's log; "
            "run 'retention sweep' again once it is done",
            file=sys.stderr,
        )
    return EX_OK
