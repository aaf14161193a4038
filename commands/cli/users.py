"""``kirjuri users``: people's accounts for the web pages."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, moment, print_rows
from commands.service import Kirjuri
from commands.usecases.accounts import PEOPLE_ROLES, UserRow
from commands.usecases.identities import parse_duration
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    import argparse
    from datetime import datetime

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    users = sub.add_parser(
        "users",
        description="people who sign in to the web pages: add (a password"
        " shown once), list, disable",
        **kw,
    )
    actions = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", description="a new account; its first password is shown once", **kw
    )
    add.add_argument("name", help="lower-case letters, digits, '_' (maija_k)")
    add.add_argument("--role", required=True, choices=PEOPLE_ROLES)
    add.add_argument("--expires", metavar="DURATION", help="e.g. 90d, 12h, 4w")
    add.add_argument(
        "--subjects",
        nargs="+",
        default=(),
        metavar="SUBJECT",
        help="a regulator's subjects (ids or emails)",
    )
    add.add_argument(
        "--window", metavar="FROM..UNTIL", help="a regulator's window (dates)"
    )
    listed = actions.add_parser("list", description="accounts and their state", **kw)
    listed.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    disable = actions.add_parser(
        "disable", description="the account can no longer sign in", **kw
    )
    disable.add_argument("name")
    users.set_defaults(handler=run_users)


def _window(text: str | None) -> tuple[datetime | None, datetime | None]:
    if text is None:
        return None, None
    since, dots, until = text.partition("..")
    if not dots:
        raise InvalidCommand("window", "give FROM..UNTIL, e.g. 2025-01-01..2025-12-31")
    return (
        moment(since or None, "window"),
        moment(until or None, "window", whole_day=True),
    )


def run_users(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        if args.action == "list":
            print_rows(kirjuri.list_users(), UserRow, args.format)
            return EX_OK
        if args.action == "disable":
            row = kirjuri.disable_user(args.name)
            print(f"disabled {row.name} ({row.role})")
            return EX_OK
        since, until = _window(args.window)
        issued = kirjuri.add_user(
            args.name,
            args.role,
            expires=None if args.expires is None else parse_duration(args.expires),
            subjects=args.subjects,
            since=since,
            until=until,
        )
    print(issued.password)  # the only time it is shown
    print(
        f"account {issued.row.name} ({issued.row.role}): sign in with this"
        " password once and choose your own; it is not shown again",
        file=sys.stderr,
    )
    return EX_OK
