"""Record verbs beyond the generated ones: a JSON-lines feed, a CRM import."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from commands.cli.common import EX_OK, STDIO, file_name, progress
from commands.feed import Interruption
from commands.service import Kirjuri
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from commands.bootstrap import Settings
    from commands.usecases.views import FeedReport, ImportSummary

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
    imp.add_argument(
        "--source",
        help="policy source of every value (required unless the file has a"
        " source column; a row's own source wins)",
    )
    imp.add_argument("--purpose", action="append", dest="purposes", help="purposes")
    imp.add_argument("--reported-by", default="crm_import")
    imp.set_defaults(handler=run_import)


EX_IOERR = 74


def _lines_in(path: str) -> int:
    """How many lines a feed file has (for the ETA); 0 for stdin."""
    if path == STDIO:
        return 0
    with Path(path).open("rb") as handle:
        return sum(1 for _ in handle)


def _open_bytes(
    path: str,
) -> contextlib.AbstractContextManager[BinaryIO | TextIO]:
    """A file to read as bytes (decoded line by line behind the facade), or
    stdin for '-' (left open; as bytes too, unless it is text only)."""
    if path == STDIO:
        return contextlib.nullcontext(getattr(sys.stdin, "buffer", sys.stdin))
    try:
        return Path(path).open("rb")
    except OSError as err:
        raise InvalidCommand("file", f"{path}: {err.strerror}") from err


def run_apply(args: argparse.Namespace, settings: Settings) -> int:
    """A malformed line is reported with its number and writes nothing; the
    others are recorded (see commands.feed)."""
    bar = progress(args, "apply")
    with (
        _open_bytes(args.file) as stream,
        Kirjuri.open(settings) as kirjuri,
        Interruption() as interruption,
    ):
        if bar is not None:
            bar.start(_lines_in(args.file))
        report = kirjuri.apply(
            stream, batch_size=args.batch_size, progress=bar, stop=interruption
        )
    return _conclude(report, interruption, lambda n: f"line {n}")


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """A CRM export (see commands.importer)."""
    name = "stdin" if args.file == STDIO else Path(args.file).name
    with (
        _open_bytes(args.file) as stream,
        Kirjuri.open(settings) as kirjuri,
        Interruption() as interruption,
    ):
        report = kirjuri.import_contacts(
            stream,
            origin=args.source,
            purposes=args.purposes or ["customer_relationship"],
            reported_by=args.reported_by,
            progress=progress(args, f"import {name}"),
            stop=interruption,
        )
    return _conclude(report, interruption, lambda n: f"{args.file}:{n}: rejected")


def _conclude(
    report: FeedReport | ImportSummary,
    interruption: Interruption,
    where: Callable[[int], str],
) -> int:
    """Say what was recorded; the exit code. Output that cannot be written
    (a closed pipe) never undoes a record: it is dropped and the exit code
    is 74."""
    lines = [f"kirjuri: {where(number)}: {e}" for number, e in report.rejected]
    if interruption.signal is not None:
        name = signal.Signals(interruption.signal).name
        lines.append(
            f"kirjuri: {name}: stopped after line {report.last} (the last recorded);"
            " run the same file again to go on"
        )
    if report.failure is not None:
        lines.append(
            f"kirjuri: error: {report.failure}; stopped after line {report.last}"
            " (the last recorded): run the same file again to go on"
        )
    if report.checkpoint is not None:
        lines.append(f"checkpoint {report.checkpoint} signed")
    if report.checkpoint_error is not None:
        lines.append(
            f"kirjuri: error: checkpoint not signed: {report.checkpoint_error}"
        )
    printed = _print(lines, sys.stderr) and _print([report.summary()], sys.stdout)
    if interruption.exit_code is not None:
        return interruption.exit_code
    if report.failure_code is not None:
        return report.failure_code
    if report.checkpoint_code is not None:
        return report.checkpoint_code
    if not printed:
        return EX_IOERR
    return InvalidCommand.exit_code if report.rejected else EX_OK


def _print(lines: list[str], stream: Any) -> bool:
    try:
        for line in lines:
            print(line, file=stream)
        stream.flush()
    except (OSError, ValueError):
        # A closed pipe: nothing more is written there, and the interpreter
        # must not fail flushing it again at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        return False
    return True
