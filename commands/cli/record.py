"""Record verbs beyond the generated ones: a JSON-lines feed, a CRM import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, file_name, open_input, progress
from commands.service import Kirjuri
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    feed = sub.add_parser(
        "apply",
        description="record commands from JSON lines (a file, or - for stdin)",
        **kw,
    )
    feed.add_argument(
        "file", type=file_name, help="JSON lines, one command each, or - for stdin"
    )
    feed.add_argument(
        "--batch-size",
        type=int,
        default=500,
        help="commands saved together (1: each alone)",
    )
    feed.set_defaults(handler=run_apply)

    imp = sub.add_parser(
        "import", description="import a CRM contact export (CSV, or - for stdin)", **kw
    )
    imp.add_argument("file", type=file_name, help="the CSV file, or - for stdin")
    # No default: Art. 14(2)(f) needs the real source of every person.
    imp.add_argument("--source", help="policy source (or a source column)")
    imp.add_argument("--purpose", action="append", dest="purposes", help="purposes")
    imp.add_argument("--reported-by", default="crm_import")
    imp.set_defaults(handler=run_import)


def _lines_in(path: str) -> int:
    """How many lines a feed file has (for the ETA); 0 for stdin."""
    if path == "-":
        return 0
    with Path(path).open("rb") as handle:
        return sum(1 for _ in handle)


def _signed(checkpoint: int | None) -> None:
    if checkpoint is not None:
        print(f"checkpoint {checkpoint} signed", file=sys.stderr)


def run_apply(args: argparse.Namespace, settings: Settings) -> int:
    """A malformed line is reported with its number and writes nothing; the
    others are recorded."""
    bar = progress(args, "apply")
    with open_input(args.file) as stream, Kirjuri.open(settings) as kirjuri:
        if bar is not None:
            bar.start(_lines_in(args.file))
        report = kirjuri.apply(stream, batch_size=args.batch_size, progress=bar)
    _signed(report.checkpoint)
    for number, error in report.rejected:
        print(f"kirjuri: line {number}: {error}", file=sys.stderr)
    print(
        f"recorded {report.recorded}, rejected {len(report.rejected)}, "
        f"findings {report.findings}"
    )
    return EX_OK if not report.rejected else InvalidCommand.exit_code


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    source = sys.stdin if args.file == "-" else Path(args.file)
    name = "stdin" if args.file == "-" else Path(args.file).name
    with Kirjuri.open(settings) as kirjuri:
        report = kirjuri.import_contacts(
            source,
            origin=args.source,
            purposes=args.purposes or ["customer_relationship"],
            reported_by=args.reported_by,
            progress=progress(args, f"import {name}"),
        )
    _signed(report.checkpoint)
    for line, error in report.rejected:
        print(f"kirjuri: {args.file}:{line}: rejected: {error}", file=sys.stderr)
    print(
        f"registered {report.registered}, updated {report.updated}, "
        f"rejected {len(report.rejected)}, findings {report.findings}"
    )
    return EX_OK if not report.rejected else InvalidCommand.exit_code
