"""What every verb shares: files and '-', moments, rows out, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from commands.models import parse_moment
from commands.output import write_rows
from commands.progress import TerminalProgress, progress_for
from ledger.errors import InvalidCommand, KirjuriError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from commands.usecases.views import Row

__all__ = [
    "EX_FAIL",
    "EX_OK",
    "OutputFailed",
    "UsageError",
    "file_name",
    "moment",
    "open_input",
    "print_rows",
    "progress",
    "read_input",
    "write_output",
]

EX_OK, EX_FAIL, EX_USAGE, EX_SOFTWARE = 0, 1, 64, 70
STDIO = "-"  # a file named '-' is stdin or stdout


class UsageError(KirjuriError):
    """The command line itself is wrong (an unknown verb, a missing flag)."""

    exit_code = EX_USAGE


class OutputFailed(KirjuriError):
    """A file could not be written (a missing folder, no permission)."""

    exit_code = 74  # EX_IOERR

    def __init__(self, field: str, path: object, problem: str | None) -> None:
        super().__init__(f"{field}: {path}: {problem or 'cannot write'}")


def file_name(text: str) -> str:
    """A file named on the command line (argparse type): a NUL byte, which no
    file name can hold, is refused as a bad value."""
    if "\x00" in text:
        raise argparse.ArgumentTypeError("invalid file name: it holds a NUL byte")
    return text


def moment(text: str | None, field: str, *, whole_day: bool = False) -> datetime | None:
    """A date or time given on the command line; with ``whole_day`` a bare
    date means the end of that day (what had happened by then)."""
    if text is None:
        return None
    found = parse_moment(text, field)
    if whole_day and len(text.strip()) == 10:
        return datetime.combine(found.date(), time.max, found.tzinfo)
    return found


def open_input(
    path: str, field: str = "file"
) -> contextlib.AbstractContextManager[TextIO]:
    """A text file to read line by line, or stdin for '-' (left open)."""
    if path == STDIO:
        return contextlib.nullcontext(sys.stdin)
    try:
        return Path(path).open(encoding="utf-8")
    except OSError as err:
        raise InvalidCommand(field, f"{path}: {err.strerror}") from err


def read_input(path: str, field: str = "file") -> str:
    """A whole text file, or stdin for '-'."""
    try:
        if path == STDIO:
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise InvalidCommand(field, f"{path}: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise InvalidCommand(field, f"{path}: not UTF-8 text") from err


def write_output(text: str | bytes, output: str | None, note: str = "") -> None:
    """To stdout (no -o, or '-o -'), or to a file, saying so on stderr;
    bytes (a PDF) are written as they are."""
    data = text if isinstance(text, bytes) else _ended(text).encode()
    if output is None or output == STDIO:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as err:
        raise OutputFailed("output", output, err.strerror) from err
    print(f"wrote {output}{note}", file=sys.stderr)


def _ended(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def print_rows(rows: Sequence[Row], model: type[Row], form: str) -> None:
    write_rows([row.model_dump() for row in rows], model.columns(), form, sys.stdout)


def progress(args: argparse.Namespace, label: str) -> TerminalProgress | None:
    return progress_for(label, quiet=getattr(args, "quiet", False))
