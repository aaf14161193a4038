"""The ``kirjuri`` command line: parse, call one facade method, print.

Verbs live by group (record, query, requests, integrity, lifecycle,
policy); every write verb is generated from its command model. No verb
holds SQL or a use case: those are behind commands.service.Kirjuri.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING

import structlog
from eventsourcing.persistence import PersistenceError

from commands.bootstrap import Settings
from commands.cli.common import EX_OK, EX_SOFTWARE
from commands.cli.parser import build_parser
from commands.logs import configure_logging
from ledger.errors import KirjuriError
from ledger.redaction import one_line

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

EX_IOERR, EX_INTERRUPTED = 74, 130
log = structlog.get_logger("kirjuri")


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - a code per failure
    try:
        settings = Settings.from_environ()
    except KirjuriError as err:  # a malformed KIRJURI_* variable: one line
        print(f"kirjuri: error: {err}", file=sys.stderr)
        return err.exit_code
    configure_logging(settings.log_level)
    try:
        args = build_parser().parse_args(argv)
        quiet = getattr(args, "quiet", False)
        configure_logging(
            args.log_level or ("warning" if quiet else settings.log_level)
        )
        code: int = args.handler(args, settings)
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else EX_OK
    except KirjuriError as err:
        print(f"kirjuri: error: {err}", file=sys.stderr)
        return err.exit_code
    except PersistenceError as err:
        print(f"kirjuri: error: database: {one_line(str(err))}", file=sys.stderr)
        return EX_IOERR
    except BrokenPipeError:
        return EX_IOERR  # the output was cut short: never a silent success
    except KeyboardInterrupt:
        print("kirjuri: interrupted", file=sys.stderr)
        return EX_INTERRUPTED
    except Exception as err:
        # The message may hold a personal value: only the class is shown;
        # the traceback goes to the debug log alone.
        name = type(err).__name__
        log.error("internal error", error=name)
        log.debug("internal error", error=name, traceback=traceback.format_exc())
        print(f"kirjuri: internal error: {name}", file=sys.stderr)
        return EX_SOFTWARE
    return code


if __name__ == "__main__":
    sys.exit(main())
