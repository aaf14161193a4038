"""Policy verbs: init (create the ledger, adopt a policy) and policy show."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, file_name, print_rows, read_input
from commands.service import Kirjuri
from commands.usecases.views import PolicyItem

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs"]


def add_verbs(sub: Any, **kw: Any) -> None:
    init = sub.add_parser(
        "init", description="create the ledger and adopt a policy file", **kw
    )
    init.add_argument(
        "--policy", type=file_name, metavar="FILE", help="policy file (TOML)"
    )
    init.set_defaults(handler=run_init)

    policy = sub.add_parser(
        "policy", description="what the adopted policy lets the flags name", **kw
    )
    policy.add_argument("action", choices=("show",))
    policy.add_argument(
        "kind",
        nargs="?",
        choices=PolicyItem.KINDS,
        help="what to list (default: all)",
    )
    policy.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    policy.set_defaults(handler=run_policy)


def run_init(args: argparse.Namespace, settings: Settings) -> int:
    text = None if args.policy is None else read_input(args.policy, "policy")
    with Kirjuri.open(settings, create=True) as kirjuri:
        if text is None:
            kirjuri.policy()  # raises when none was ever adopted
            print("ledger ready; policy unchanged")
            return EX_OK
        adoption = kirjuri.adopt_policy(text, args.policy)
    verdict = "adopted" if adoption.adopted else "unchanged"
    print(f"ledger ready; policy {verdict}: {args.policy}")
    return EX_OK


def run_policy(args: argparse.Namespace, settings: Settings) -> int:
    kinds = [args.kind] if args.kind else list(PolicyItem.KINDS)
    with Kirjuri.open(settings) as kirjuri:
        found = {kind: kirjuri.policy_items(kind) for kind in kinds}
    for number, (kind, items) in enumerate(found.items()):
        if len(kinds) > 1:
            print(("\n" if number else "") + f"{kind}:", file=sys.stdout)
        print_rows(items, PolicyItem, args.format)
    return EX_OK
