"""The requests register (the request verbs themselves are generated)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, print_rows
from commands.cli.query import FORMATS
from commands.service import Kirjuri
from commands.usecases.views import RequestRow

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    reqs = sub.add_parser(
        "requests", description="the requests register (due, overdue)", **kw
    )
    reqs.add_argument("--subject", help="id, unique id prefix (8+) or email")
    reqs.add_argument("--open", action="store_true", help="only requests not answered")
    reqs.add_argument("--format", choices=FORMATS, default="table")
    reqs.set_defaults(handler=run_requests)


def run_requests(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        rows = kirjuri.requests(args.subject, open_only=args.open)
    print_rows(rows, RequestRow, args.format)
    return EX_OK
