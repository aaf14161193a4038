"""``kirjuri ropa``: the record of processing activities (GDPR Art. 30(1));
``--signed`` writes it verifiable offline, ``verify-ropa`` checks one."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from commands.cli.common import (
    EX_FAIL,
    EX_OK,
    file_name,
    moment,
    read_input,
    write_output,
)
from commands.cli.integrity import public_key
from commands.output import counted
from commands.service import Kirjuri
from ledger.errors import InvalidCommand
from projections.reports.ropa_render import (
    record_csv,
    record_html,
    record_json,
    record_markdown,
    record_pdf,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from commands.bootstrap import Settings
    from projections.reports.ropa import ProcessingRecord

__all__ = ["RENDER", "add_verbs"]

RENDER: dict[str, Callable[[ProcessingRecord], str | bytes]] = {
    "markdown": record_markdown,
    "html": record_html,
    "pdf": record_pdf,
    "json": record_json,
    "csv": record_csv,
}


def add_verbs(sub: Any, **kw: Any) -> None:
    ropa = sub.add_parser(
        "ropa",
        description="the record of processing activities (Art. 30(1)): the"
        " policy beside what the ledger observed, and their differences",
        **kw,
    )
    ropa.add_argument("--since", help="observed from this date or time (inclusive)")
    ropa.add_argument("--until", help="observed up to this date or time (exclusive)")
    ropa.add_argument("--format", choices=tuple(RENDER), default="markdown")
    ropa.add_argument("--lang", choices=("en", "fi"), default="en")
    ropa.add_argument(
        "--signed",
        action="store_true",
        help="JSON with the checkpoint it rests on, the period's disclosures"
        " proven, signed: check it with verify-ropa (docs/evidence.md §8)",
    )
    ropa.add_argument(
        "-o", "--output", type=file_name, metavar="FILE", help="write to FILE"
    )
    ropa.set_defaults(handler=run_ropa)

    check = sub.add_parser(
        "verify-ropa", description="check a signed Art. 30 record, no database", **kw
    )
    check.add_argument("file", type=file_name, help="the record, or - for stdin")
    required = check.add_argument_group("required options")
    required.add_argument(
        "--public-key", required=True, help="key string or a file of it"
    )
    check.set_defaults(handler=run_verify_ropa)


def run_ropa(args: argparse.Namespace, settings: Settings) -> int:
    since, until = moment(args.since, "since"), moment(args.until, "until")
    with Kirjuri.open(settings) as kirjuri:
        if args.signed:
            signed = kirjuri.signed_processing_record(
                since=since, until=until, language=args.lang
            )
            text = json.dumps(signed, indent=2, ensure_ascii=False)
            write_output(
                text,
                args.output,
                f": signed at {signed['record']['ledger_events']} events",
            )
            return EX_OK
        record = kirjuri.processing_record(since=since, until=until, language=args.lang)
    write_output(RENDER[args.format](record), args.output)
    return EX_OK


def run_verify_ropa(args: argparse.Namespace, settings: Settings) -> int:
    try:
        document = json.loads(read_input(args.file))
    except json.JSONDecodeError as err:
        raise InvalidCommand("file", f"{args.file}: not JSON: {err.msg}") from err
    check = Kirjuri.verify_processing_record(document, public_key(args.public_key))
    for problem in check.problems[:50]:
        print(f"kirjuri: verify-ropa: {problem}", file=sys.stderr)
    if not check.ok:
        print(f"FAILED: {counted(len(check.problems), 'problem')}")
        return EX_FAIL
    print(
        f"verified: the record at checkpoint {check.size},"
        f" {check.events} uses of data proven"
    )
    return EX_OK
