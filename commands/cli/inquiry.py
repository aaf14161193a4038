"""Inquiry verbs: ``inquiry`` writes a bundle, ``verify-inquiry`` checks one
offline (docs/evidence.md §7)."""

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
from ledger.events import EVENT_TYPES

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]

MAX_PROBLEMS = 50  # one line each; beyond, counted


def add_verbs(sub: Any, **kw: Any) -> None:
    inquiry = sub.add_parser(
        "inquiry",
        description="write an inquiry bundle: events with proofs, a subject's "
        "shown complete",
        **kw,
    )
    inquiry.add_argument(
        "--subject",
        help="every event of this subject, with a completeness proof "
        "(given alone); id, unique id prefix (8+) or email",
    )
    for flag in ("recipient", "purpose", "category", "country"):
        inquiry.add_argument(f"--{flag}", help=f"only events of this {flag}")
    inquiry.add_argument(
        "--type", choices=sorted(EVENT_TYPES), metavar="TYPE", help="a stored name"
    )
    inquiry.add_argument("--since", help="from this date or time (inclusive)")
    inquiry.add_argument("--until", help="up to this date or time (exclusive)")
    inquiry.add_argument(
        "-o",
        "--output",
        type=file_name,
        metavar="FILE",
        help="write to FILE (- for stdout)",
    )
    inquiry.set_defaults(handler=run_inquiry)

    check = sub.add_parser(
        "verify-inquiry", description="check an inquiry bundle, no database", **kw
    )
    check.add_argument("file", type=file_name, help="the bundle, or - for stdin")
    required = check.add_argument_group("required options")
    required.add_argument(
        "--public-key", required=True, help="key string or a file of it"
    )
    check.set_defaults(handler=run_verify_inquiry)


def run_inquiry(args: argparse.Namespace, settings: Settings) -> int:
    since, until = moment(args.since, "since"), moment(args.until, "until")
    with Kirjuri.open(settings) as kirjuri:
        made = kirjuri.inquiry(
            subject=args.subject,
            recipient=args.recipient,
            purpose=args.purpose,
            category=args.category,
            event_type=args.type,
            country=args.country,
            since=since,
            until=until,
        )
    complete = " (complete for the subject)" if args.subject else ""
    write_output(
        json.dumps(made.bundle, indent=2, ensure_ascii=False),
        args.output,
        f": {counted(made.events, 'event')} at checkpoint {made.size}{complete}",
    )
    return EX_OK


def run_verify_inquiry(args: argparse.Namespace, settings: Settings) -> int:
    text = read_input(args.file)
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidCommand("file", f"{args.file}: not JSON: {err.msg}") from err
    check = Kirjuri.verify_inquiry(bundle, public_key(args.public_key))
    for problem in check.problems[:MAX_PROBLEMS]:
        print(f"kirjuri: verify-inquiry: {problem}", file=sys.stderr)
    if len(check.problems) > MAX_PROBLEMS:
        more = len(check.problems) - MAX_PROBLEMS
        print(f"kirjuri: verify-inquiry: … and {more} more problems", file=sys.stderr)
    if not check.ok:
        print(f"FAILED: {counted(len(check.problems), 'problem')}")
        return EX_FAIL
    complete = (
        f"; all of subject {check.complete_for}'s events" if check.complete_for else ""
    )
    events = counted(check.events, "event")
    print(f"verified: {events} in checkpoint {check.size}{complete}")
    return EX_OK
