"""The ``kirjuri`` parser: verbs grouped by what they are for, each group
with an example; argparse's own errors become one line, never a usage dump."""

from __future__ import annotations

import argparse
import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn

from commands import models
from commands.cli import (
    exchange,
    findings,
    inquiry,
    integrity,
    lifecycle,
    policy,
    query,
    record,
    record_of_processing,
    requests,
    server,
    users,
)
from commands.cli.common import UsageError
from commands.cli.generated import add_command_verb
from ledger.errors import InvalidCommand

__all__ = ["GROUPS", "build_parser"]

REQUEST_KINDS = (
    "request",
    "extend-request",
    "answer-request",
    "refuse-request",
    "excessive-request",
)
LIFECYCLE_KINDS = ("erase", "hold", "release-hold")

# (group, what it is for, an example, its verbs in the order listed)
GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "record",
        "what was done with a person's data",
        "kirjuri consent eero@pumppu.example --purpose partner_marketing"
        " --channel web_form",
        (
            *(
                m.model_fields["kind"].default
                for m in models.COMMANDS
                if m.model_fields["kind"].default
                not in (*REQUEST_KINDS, *LIFECYCLE_KINDS, "acknowledge-finding")
            ),
            "apply",
            "import",
        ),
    ),
    (
        "query",
        "answer a person, an auditor or yourself",
        "kirjuri access-report aino.virtanen@esimerkki.fi --format html -o report.html",
        (
            "access-report",
            "export",
            "history",
            "subjects",
            "state",
            "findings",
            "check",
            "ropa",
            "consent-records",
            "policy-dpv",
        ),
    ),
    (
        "requests",
        "data-subject requests and their deadlines",
        "kirjuri request eero@pumppu.example --type access --channel post",
        (*REQUEST_KINDS, "requests"),
    ),
    (
        "integrity",
        "signed checkpoints and proofs that nothing was altered",
        "kirjuri verify --checkpoint /safe/elsewhere/checkpoint-000000000058.txt",
        (
            *("checkpoint", "checkpoints", "verify", "prove", "verify-proof"),
            *("inquiry", "verify-inquiry", "verify-ropa", "projections"),
        ),
    ),
    (
        "lifecycle",
        "erasure, legal holds, retention and keys",
        "kirjuri erase eero@pumppu.example --dry-run",
        (*LIFECYCLE_KINDS, "retention", "keys", "backup"),
    ),
    (
        "policy",
        "the ledger and the policy it enforces",
        "kirjuri policy show purposes",
        ("init", "policy"),
    ),
    (
        "service",
        "the HTTP API and who may call it",
        "kirjuri tokens create --name crm --role ingest --expires 90d",
        ("serve", "tokens", "users"),
    ),
)


class Parser(argparse.ArgumentParser):
    """An argparse error is one line naming the option, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        found = re.match(r"argument (?:[^:]*/)?(--?[\w-]+|[a-z_]+): (.*)", message)
        if found is None:
            raise UsageError(f"{message} (see: {self.prog} --help)")
        name = found.group(1).lstrip("-").replace("-", "_")
        problem = found.group(2)
        if problem.startswith(("invalid", "expected")):
            raise InvalidCommand(name, problem)  # a bad value: bad data, 65
        raise UsageError(f"{name}: {problem}")


def _version() -> str:
    try:
        return version("kirjuri")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown"


def _epilog(sub: Any) -> str:
    lines = ["commands:"]
    for group, about, example, verbs in GROUPS:
        lines.append(f"\n  {group}: {about}")
        for verb in verbs:
            description = (sub.choices[verb].description or "").split("\n")[0]
            lines.append(f"    {verb:<20}{description}")
        lines.append(f"    e.g. {example}")
    lines.append(
        "\n'kirjuri COMMAND --help' lists a command's options; FILE '-' is stdin or"
        " stdout.\nExit codes: 0 ok, 1 not allowed or failed, 64 usage, 65 bad"
        " data, 74 I/O, 78 configuration."
    )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress bars; log warnings only",
    )
    parser = Parser(
        prog="kirjuri",
        description="An audit ledger of personal-data processing (GDPR). "
        "Storage: ./kirjuri.db, or KIRJURI_DATABASE_URL=postgresql://…",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"kirjuri {_version()}")
    parser.add_argument(
        "--log-level", default=None, choices=("debug", "info", "warning", "error")
    )
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    kw: dict[str, Any] = {"parents": [common]}
    for model in models.COMMANDS:
        if model is not models.AcknowledgeFinding:  # kirjuri findings ack
            add_command_verb(sub, model, **kw)
    for module in (
        record,
        query,
        findings,
        record_of_processing,
        exchange,
        requests,
        integrity,
        inquiry,
        lifecycle,
        policy,
        server,
        users,
    ):
        module.add_verbs(sub, **kw)
    parser.epilog = _epilog(sub)
    return parser
