"""Query verbs: access report, export, history, subjects, state, check
(findings are in commands.cli.findings)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from commands.cli.common import (
    EX_FAIL,
    EX_OK,
    file_name,
    moment,
    print_rows,
    write_output,
)
from commands.service import Kirjuri
from commands.usecases.views import (
    HistoryRow,
    SubjectRow,
)
from ledger.events import EVENT_TYPES
from ledger.policy import LegalBasis
from projections.reports.render import (
    render_html,
    render_json,
    render_markdown,
    render_pdf,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from commands.bootstrap import Settings
    from projections.reports.access import AccessReport

__all__ = ["FORMATS", "add_verbs"]

FORMATS = ("table", "jsonl", "csv")
RENDER: dict[str, Callable[[AccessReport], str | bytes]] = {
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
    "pdf": render_pdf,
}


def add_verbs(sub: Any, **kw: Any) -> None:
    report = sub.add_parser(
        "access-report", description="answer an access request (Art. 15)", **kw
    )
    report.add_argument("subject", help="id, unique id prefix (8+) or email")
    report.add_argument("--format", choices=tuple(RENDER), default="markdown")
    report.add_argument("--lang", choices=("en", "fi"), default="en")
    report.add_argument("--request", help="the request it answers (default: latest)")
    report.add_argument(
        "-o",
        "--output",
        type=file_name,
        metavar="FILE",
        help="write to FILE (- for stdout)",
    )
    report.set_defaults(handler=run_access_report)

    export = sub.add_parser(
        "export", description="portability export (Art. 20), JSON", **kw
    )
    export.add_argument("subject", help="id, unique id prefix (8+) or email")
    export.add_argument(
        "-o",
        "--output",
        type=file_name,
        metavar="FILE",
        help="write to FILE (- for stdout)",
    )
    export.set_defaults(handler=run_export)

    history = sub.add_parser(
        "history", description="events by subject, recipient, purpose, …", **kw
    )
    history.add_argument("--subject", help="id, unique id prefix (8+) or email")
    for flag in ("recipient", "purpose", "category", "country"):
        history.add_argument(f"--{flag}", help=f"only events of this {flag}")
    history.add_argument(
        "--type",
        choices=sorted(EVENT_TYPES),
        metavar="TYPE",
        help="an event's stored name",
    )
    history.add_argument("--since", help="from this date or time (inclusive)")
    history.add_argument("--until", help="up to this date or time (exclusive)")
    history.add_argument("--limit", type=int)
    history.add_argument("--format", choices=FORMATS, default="table")
    history.set_defaults(handler=run_history)

    people = sub.add_parser(
        "subjects", description="find subjects by email, name or company", **kw
    )
    people.add_argument(
        "--search",
        required=True,
        help="an email (exact, any case), the start of a name, or part of a company",
    )
    people.add_argument("--format", choices=FORMATS, default="table")
    people.set_defaults(handler=run_subjects)

    state = sub.add_parser(
        "state", description="a subject's state, now or as of a date", **kw
    )
    state.add_argument("subject", help="id, unique id prefix (8+) or email")
    state.add_argument("--as-of", help="what had happened by then")
    state.add_argument("--known-at", help="what had been recorded by then")
    state.set_defaults(handler=run_state)

    check = sub.add_parser(
        "check",
        description="would this processing be allowed now? (records nothing)",
        **kw,
    )
    check.add_argument("subject", help="id, unique id prefix (8+) or email")
    required = check.add_argument_group("required options")
    required.add_argument("--purpose", required=True, help="purpose (policy)")
    check.add_argument(
        "--category",
        action="append",
        dest="categories",
        default=[],
        help="categories used (repeat, or comma-separate)",
    )
    check.add_argument("--recipient", help="recipient (policy)")
    check.add_argument(
        "--legal-basis",
        choices=[b.value for b in LegalBasis],
        help="default: the purpose's",
    )
    check.add_argument("--country", help="where the data would go (ISO code)")
    check.add_argument("--at", help="when (default now)")
    check.set_defaults(handler=run_check)


def run_access_report(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        report = kirjuri.access_report(
            args.subject, lang=args.lang, request=args.request
        )
    if report.review_warning is not None:
        print(f"kirjuri: {report.review_warning}", file=sys.stderr)
    write_output(RENDER[args.format](report), args.output)
    return EX_OK


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        export = kirjuri.export(args.subject)
    write_output(export.model_dump_json(indent=2), args.output)
    return EX_OK


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    since, until = moment(args.since, "since"), moment(args.until, "until")
    with Kirjuri.open(settings) as kirjuri:
        rows = kirjuri.history(
            subject=args.subject,
            recipient=args.recipient,
            purpose=args.purpose,
            category=args.category,
            event_type=args.type,
            country=args.country,
            since=since,
            until=until,
            limit=args.limit,
        )
    print_rows(rows, HistoryRow, args.format)
    return EX_OK


def run_subjects(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        rows = kirjuri.subjects(args.search)
    print_rows(rows, SubjectRow, args.format)
    return EX_OK


def run_state(args: argparse.Namespace, settings: Settings) -> int:
    as_of = moment(args.as_of, "as-of", whole_day=True)
    known_at = moment(args.known_at, "known-at")
    with Kirjuri.open(settings) as kirjuri:
        state = kirjuri.state(args.subject, as_of=as_of, known_at=known_at)
    print(state.model_dump_json(indent=2))
    return EX_OK


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    at = moment(args.at, "at")
    categories = [c for item in args.categories for c in item.split(",") if c]
    with Kirjuri.open(settings) as kirjuri:
        result = kirjuri.check(
            args.subject,
            args.purpose,
            categories=categories,
            recipient=args.recipient,
            legal_basis=args.legal_basis,
            country=args.country,
            at=at,
        )
    if result.allowed:
        print("allowed")
        return EX_OK
    for finding in result.findings:
        print(f"not allowed: {finding.rule}: {finding.detail}")
    return EX_FAIL
