"""Service verbs: ``serve`` (the HTTP API) and ``tokens`` (who may call it)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, moment, print_rows
from commands.service import Kirjuri
from commands.usecases.identities import ROLES, TokenRow, parse_duration

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    serve = sub.add_parser("serve", description="serve the HTTP API (uvicorn)", **kw)
    serve.add_argument("--host", default="127.0.0.1", help="default: loopback only")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="processes (several on PostgreSQL)"
    )
    serve.set_defaults(handler=run_serve)

    tokens = sub.add_parser(
        "tokens", description="API tokens: create (shown once), list, revoke", **kw
    )
    actions = tokens.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", description="a new token, shown once", **kw)
    create.add_argument("--name", required=True, help="who calls (crm, erp, …)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--expires", metavar="DURATION", help="e.g. 90d, 12h, 4w")
    create.add_argument(
        "--subjects",
        nargs="+",
        default=(),
        metavar="SUBJECT",
        help="a regulator's subjects (ids or emails)",
    )
    create.add_argument("--since", help="a regulator's window: from")
    create.add_argument("--until", help="a regulator's window: until")
    listed = actions.add_parser("list", description="tokens and their state", **kw)
    listed.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    revoke = actions.add_parser("revoke", description="a token stops working", **kw)
    revoke.add_argument("token_id")
    tokens.set_defaults(handler=run_tokens)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    with Kirjuri.open(settings) as kirjuri:
        kirjuri.policy()  # a ledger that cannot serve says so before it starts
    print(f"kirjuri: serving on http://{args.host}:{args.port}", file=sys.stderr)
    uvicorn.run(
        "api.app:from_environ",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,  # a path may hold an email: the API logs routes only
        log_level="warning",
    )
    return EX_OK


def run_tokens(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        if args.action == "list":
            print_rows(kirjuri.list_tokens(), TokenRow, args.format)
            return EX_OK
        if args.action == "revoke":
            row = kirjuri.revoke_token(args.token_id)
            print(f"revoked {row.token_id} ({row.name}, {row.role})")
            return EX_OK
        issued = kirjuri.create_token(
            args.name,
            args.role,
            expires=None if args.expires is None else parse_duration(args.expires),
            subjects=args.subjects,
            since=moment(args.since, "since"),
            until=moment(args.until, "until", whole_day=True),
        )
    row = issued.row
    print(issued.token)  # the only time it is shown
    print(
        f"token {row.token_id} for {row.name} ({row.role}); it is not shown again",
        file=sys.stderr,
    )
    return EX_OK
