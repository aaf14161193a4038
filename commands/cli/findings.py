"""Findings: list them (``--unacknowledged``), and ``findings ack ID --note``
to acknowledge one (a new event; the finding itself never changes)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, print_rows
from commands.cli.query import FORMATS
from commands.output import write_rows
from commands.service import Kirjuri
from commands.usecases.views import Acknowledgement, FindingRow

if TYPE_CHECKING:
    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    found = sub.add_parser(
        "findings", description="recorded processing that breached the policy", **kw
    )
    found.add_argument("--subject")
    found.add_argument(
        "--unacknowledged", action="store_true", help="only those nobody acknowledged"
    )
    found.add_argument("--format", choices=FORMATS, default="table")
    found.set_defaults(handler=run_findings)
    actions = found.add_subparsers(dest="findings_action", metavar="ACTION")
    ack = actions.add_parser(
        "ack",
        description="acknowledge a finding with a note of what was done"
        " (a new event: the finding itself never changes)",
        **kw,
    )
    ack.add_argument("finding_id", type=_finding_id, help="the finding's id")
    ack.add_argument(
        "--note", required=True, help="what was done (no personal data; 1,000 chars)"
    )
    ack.add_argument("--by", default="cli", help="who acknowledges (default: cli)")
    ack.add_argument("--command-id", help="idempotency key: a retry writes nothing")
    ack.add_argument("--json", action="store_true", help="print the finding as JSON")
    ack.set_defaults(handler=run_acknowledge)


def run_findings(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        rows = kirjuri.findings(args.subject, unacknowledged=args.unacknowledged)
    if args.format == "jsonl":
        print_rows(rows, FindingRow, args.format)
        return EX_OK
    # One cell per finding in a table or CSV: who acknowledged it, when.
    flat = [
        row.model_dump()
        | {
            "acknowledgements": "; ".join(
                _acknowledged(a) for a in row.acknowledgements
            )
        }
        for row in rows
    ]
    write_rows(flat, FindingRow.columns(), args.format, sys.stdout)
    return EX_OK


def _acknowledged(ack: Acknowledgement) -> str:
    return f"{ack.acknowledged_by} {ack.occurred_at}: {ack.note}"


def _finding_id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 2**62:
        raise argparse.ArgumentTypeError("a finding's id is a positive number")
    return int(text)


def run_acknowledge(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        done = kirjuri.acknowledge_finding(
            args.finding_id, args.note, by=args.by, command_id=args.command_id
        )
    if args.json:
        print(done.model_dump_json())
        return EX_OK
    said = "nothing: a duplicate of" if done.duplicate else "recorded"
    count = len(done.finding.acknowledgements)
    print(
        f"finding {done.finding.finding_id} ({done.finding.rule}): {said}"
        f" an acknowledgement; {count} in all"
    )
    return EX_OK
