"""Exchange verbs: ``consent-records`` (ISO/IEC TS 27560 records in DPV's
JSON-LD, one subject or all) and ``policy-dpv`` (docs/exchange.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, STDIO, OutputFailed, file_name, write_output
from commands.service import Kirjuri
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    records = sub.add_parser(
        "consent-records",
        description="consents as ISO/IEC TS 27560 records in W3C DPV JSON-LD,"
        " subjects named by their pseudonymous id",
        **kw,
    )
    records.add_argument(
        "subject", nargs="?", help="id, unique id prefix (8+) or email"
    )
    records.add_argument(
        "--all", action="store_true", help="every subject's records, streamed"
    )
    records.add_argument(
        "-o", "--output", type=file_name, metavar="FILE", help="write to FILE"
    )
    records.set_defaults(handler=run_consent_records)

    policy = sub.add_parser(
        "policy-dpv", description="the policy in force as W3C DPV JSON-LD", **kw
    )
    policy.add_argument(
        "-o", "--output", type=file_name, metavar="FILE", help="write to FILE"
    )
    policy.set_defaults(handler=run_policy_dpv)


def run_consent_records(args: argparse.Namespace, settings: Settings) -> int:
    if (args.subject is None) == (not args.all):
        raise InvalidCommand("subject", "give a subject or --all, not both")
    with Kirjuri.open(settings) as kirjuri:
        if args.all:
            _stream(kirjuri.all_consent_records(), args.output)
            return EX_OK
        document = kirjuri.consent_records(args.subject)
    write_output(json.dumps(document, indent=2, ensure_ascii=False), args.output)
    return EX_OK


def _stream(pieces: Iterator[str], output: str | None) -> None:
    """Piece by piece, so a large ledger's records are never all in memory."""
    if output is None or output == STDIO:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    try:
        with Path(output).open("w", encoding="utf-8") as out:
            for piece in pieces:
                out.write(piece)
    except OSError as err:
        raise OutputFailed("output", output, err.strerror) from err
    print(f"wrote {output}", file=sys.stderr)


def run_policy_dpv(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        document = kirjuri.policy_dpv()
    write_output(json.dumps(document, indent=2, ensure_ascii=False), args.output)
    return EX_OK
