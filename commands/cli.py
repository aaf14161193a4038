"""The ``kirjuri`` command line: parse, dispatch, map errors to exit codes.

Every write verb is generated from its command model (commands.models), so
the CLI, JSON-lines feeds and the Python API accept exactly the same input.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from eventsourcing.persistence import PersistenceError

from commands import models
from commands.bootstrap import Settings
from commands.feed import FeedReport, Interruption, apply_feed, conclude, open_input
from commands.importer import import_contacts
from commands.integrity import add_integrity_verbs, integrity_entry
from commands.lifecycle import add_lifecycle_verbs, preview_erasure
from commands.logs import configure_logging
from commands.output import write_rows
from commands.progress import progress_for
from commands.service import Kirjuri
from commands.state import describe_state
from ledger.compliance import Processing, judge
from ledger.errors import InvalidCommand, KirjuriError
from ledger.policy import LegalBasis, load_policy
from projections import queries
from projections.reports.access import build_access_report
from projections.reports.export import build_export
from projections.reports.render import render_html, render_json, render_markdown

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydantic.fields import FieldInfo

__all__ = ["main"]

EX_OK, EX_FAIL, EX_USAGE, EX_IOERR = 0, 1, 64, 74


# Parser --------------------------------------------------------------------


def _is_tuple(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, typing.Annotated):
        return any(_is_tuple(arg) for arg in typing.get_args(annotation))
    return origin is tuple


def _add_command_verb(subparsers: Any, model: type[models._Command]) -> None:
    kind = model.model_fields["kind"].default
    parser = subparsers.add_parser(kind, help=model.help, description=model.help)
    positional = next(
        (name for name in ("subject", "request_id") if name in model.model_fields), None
    )
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        _add_field(parser, name, info, positional=name == positional)
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    if kind == "erase":
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="say what would go and stay; write nothing",
        )
    parser.set_defaults(handler=_run_command, command_kind=kind, command_model=model)


def _add_field(
    parser: argparse.ArgumentParser, name: str, info: FieldInfo, *, positional: bool
) -> None:
    help_text = info.description or ""
    if positional:
        parser.add_argument(name, help=help_text)
        return
    flag = "--" + name.replace("_", "-")
    if info.annotation is bool:
        parser.add_argument(
            flag, dest=name, action="store_true", default=None, help=help_text
        )
    elif _is_tuple(info.annotation):
        parser.add_argument(
            flag,
            dest=name,
            action="append",
            metavar=name.upper(),
            help=f"{help_text} (repeat, or comma-separate)",
        )
    else:
        parser.add_argument(flag, dest=name, metavar=name.upper(), help=help_text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kirjuri",
        description="An audit ledger of personal-data processing (GDPR). "
        "Storage: ./kirjuri.db, or KIRJURI_DATABASE_URL=postgresql://…",
    )
    parser.add_argument("--log-level", default=None, help="debug, info, warning")
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)

    init = sub.add_parser("init", help="create the ledger and adopt a policy file")
    init.add_argument("--policy", type=Path, help="policy file (TOML)")
    init.set_defaults(handler=_run_init)

    for model in models.COMMANDS:
        _add_command_verb(sub, model)

    feed = sub.add_parser("apply", help="record commands from JSON lines (file or -)")
    feed.add_argument("file", help="JSON lines, one command each, or - for stdin")
    feed.add_argument(
        "--batch-size",
        type=int,
        default=500,
        help="commands saved together (1: each alone)",
    )
    feed.set_defaults(handler=_run_apply)

    imp = sub.add_parser("import", help="import a CRM contact export (CSV)")
    imp.add_argument("file", help="CSV with a header line, or - for stdin")
    imp.add_argument(
        "--source",
        help="policy source of every value (required unless the file has a"
        " source column; a row's own source wins)",
    )
    imp.add_argument("--purpose", action="append", dest="purposes", help="purposes")
    imp.add_argument("--reported-by", default="crm_import")
    imp.set_defaults(handler=_run_import)

    check = sub.add_parser("check", help="would this processing be allowed now?")
    check.add_argument("subject")
    check.add_argument("--purpose", required=True)
    check.add_argument("--category", action="append", dest="categories", default=[])
    check.add_argument("--recipient")
    check.add_argument("--legal-basis")
    check.add_argument("--at")
    check.set_defaults(handler=_run_check)

    report = sub.add_parser("access-report", help="answer an access request (Art. 15)")
    report.add_argument("subject")
    report.add_argument(
        "--format", choices=("json", "markdown", "html"), default="markdown"
    )
    report.add_argument("--lang", choices=("en", "fi"), default="en")
    report.add_argument("--request", help="the request it answers (default: latest)")
    report.add_argument("-o", "--output", type=Path, help="write to a file")
    report.set_defaults(handler=_run_access_report)

    export = sub.add_parser("export", help="portability export (Art. 20), JSON")
    export.add_argument("subject")
    export.add_argument("-o", "--output", type=Path)
    export.set_defaults(handler=_run_export)

    _add_query_verbs(sub)
    add_integrity_verbs(sub)
    add_lifecycle_verbs(sub)
    return parser


def _add_query_verbs(sub: Any) -> None:
    formats = ("table", "jsonl", "csv")
    history = sub.add_parser("history", help="events by subject, recipient, purpose, …")
    for flag in ("subject", "recipient", "purpose", "category", "type", "country"):
        history.add_argument(f"--{flag}")
    history.add_argument("--since", help="from this date or time (inclusive)")
    history.add_argument("--until", help="up to this date or time (exclusive)")
    history.add_argument("--limit", type=int)
    history.add_argument("--format", choices=formats, default="table")
    history.set_defaults(handler=_run_history)

    people = sub.add_parser("subjects", help="find subjects by email, name or company")
    people.add_argument(
        "--search",
        required=True,
        help="an email (exact, any case), the start of a name, or part of a company",
    )
    people.add_argument("--format", choices=formats, default="table")
    people.set_defaults(handler=_run_subjects)

    state = sub.add_parser("state", help="a subject's state, now or as of a date")
    state.add_argument("subject")
    state.add_argument("--as-of", help="what had happened by then")
    state.add_argument("--known-at", help="what had been recorded by then")
    state.set_defaults(handler=_run_state)

    found = sub.add_parser(
        "findings", help="recorded processing that breached the policy"
    )
    found.add_argument("--subject")
    found.add_argument("--format", choices=formats, default="table")
    found.set_defaults(handler=_run_findings)

    reqs = sub.add_parser("requests", help="the requests register (due, overdue)")
    reqs.add_argument("--subject")
    reqs.add_argument("--open", action="store_true", help="only requests not answered")
    reqs.add_argument("--format", choices=formats, default="table")
    reqs.set_defaults(handler=_run_requests)

    proj = sub.add_parser("projections", help="read models: status or rebuild")
    proj.add_argument("action", choices=("status", "rebuild", "catch-up"))
    proj.set_defaults(handler=_run_projections)


# Handlers ------------------------------------------------------------------


def _open(settings: Settings) -> Kirjuri:
    return Kirjuri.open(settings)


def _run_init(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings, create=True) as kirjuri:
        if args.policy is None:
            kirjuri.ledger.policy  # noqa: B018 - raises when none was ever adopted
            print("ledger ready; policy unchanged")
            return EX_OK
        load_policy(args.policy)
        adopted = kirjuri.ledger.adopt_policy(
            args.policy.read_text(encoding="utf-8"), str(args.policy)
        )
        kirjuri.catch_up()
        verdict = "adopted" if adopted else "unchanged"
        print(f"ledger ready; policy {verdict}: {args.policy}")
    return EX_OK


def _command_data(args: argparse.Namespace) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": args.command_kind}
    for name in args.command_model.model_fields:
        value = getattr(args, name, None)
        if value is None or name == "kind":
            continue
        if isinstance(value, list):
            value = [
                part.strip()
                for item in value
                for part in item.split(",")
                if part.strip()
            ]
        data[name] = value
    return data


def _print_outcome(outcome: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(outcome.as_dict()))
        return
    recorded = ", ".join(e.STORED_NAME for e in outcome.events)
    if outcome.duplicate:
        recorded = "nothing: a duplicate of a command already recorded"
    print(f"{outcome.subject_id}: recorded {recorded}")
    if outcome.request_id:
        print(f"request: {outcome.request_id}")
    for finding in outcome.findings:
        print(f"finding: {finding.rule}: {finding.detail}")


def _run_command(args: argparse.Namespace, settings: Settings) -> int:
    command = models.parse_command(_command_data(args))
    with _open(settings) as kirjuri:
        if isinstance(command, models.EraseSubject) and args.dry_run:
            preview = preview_erasure(
                kirjuri, command.subject, command.remove_objection
            )
            print(json.dumps(preview, indent=2))
            return EX_OK
        _print_outcome(kirjuri.execute(command), args.json)
    return EX_OK


def _auto_checkpoint(kirjuri: Kirjuri) -> None:
    """Sign the tree after a batch, unless KIRJURI_AUTO_CHECKPOINT=no."""
    if kirjuri.settings.auto_checkpoint:
        stored = kirjuri.checkpoint()
        print(f"checkpoint {stored.checkpoint.size} signed", file=sys.stderr)


def _run_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Commands from JSON lines (see commands.feed)."""
    with _open(settings) as kirjuri, Interruption() as interruption:
        with open_input(args.file) as source:
            report = apply_feed(
                kirjuri, source, batch_size=args.batch_size, stop=interruption
            )
        return conclude(
            kirjuri, report, report.summary(), interruption, lambda n: f"line {n}"
        )


def _run_import(args: argparse.Namespace, settings: Settings) -> int:
    """A CRM export (see commands.importer)."""
    purposes = args.purposes or ["customer_relationship"]
    with _open(settings) as kirjuri, Interruption() as interruption:
        with open_input(args.file) as source:
            report = import_contacts(
                kirjuri,
                source,
                source=args.source,
                purposes=purposes,
                reported_by=args.reported_by,
                progress=progress_for(f"import {Path(args.file).name}"),
                stop=interruption,
            )
        return conclude(
            kirjuri,
            FeedReport(
                rejected=report.rejected, last=report.last, failure=report.failure
            ),
            report.summary(),
            interruption,
            lambda n: f"{args.file}:{n}: rejected",
        )


def _moment(text: str | None, field: str) -> datetime | None:
    return None if text is None else models.parse_moment(text, field)


def _run_check(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        ledger = kirjuri.ledger
        policy = ledger.policy
        subject = kirjuri.resolve(args.subject)
        try:
            purpose = policy.purpose(args.purpose)
            if args.recipient:
                policy.recipient(args.recipient)
        except KeyError as err:
            raise InvalidCommand(
                "purpose" if args.recipient is None else "recipient",
                f"unknown id {err}",
            ) from err
        basis = (
            LegalBasis(args.legal_basis) if args.legal_basis else purpose.legal_basis
        )
        at = _moment(args.at, "at") or datetime.now().astimezone()
        categories = tuple(c for item in args.categories for c in item.split(",") if c)
        findings = judge(
            policy,
            ledger.load(subject),
            Processing(purpose.id, basis, categories, at, args.recipient),
        )
    if not findings:
        print("allowed")
        return EX_OK
    for finding in findings:
        print(f"not allowed: {finding.rule}: {finding.detail}")
    return EX_FAIL


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)


def _run_access_report(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        subject = kirjuri.resolve(args.subject)
        report = build_access_report(kirjuri.ledger, subject, args.lang, args.request)
        integrity = integrity_entry(kirjuri, str(subject))
        report = report.model_copy(update={"integrity": integrity})
    render = {"json": render_json, "markdown": render_markdown, "html": render_html}
    _write(render[args.format](report), args.output)
    return EX_OK


def _run_export(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        export = build_export(kirjuri.ledger, kirjuri.resolve(args.subject))
    _write(export.model_dump_json(indent=2), args.output)
    return EX_OK


HISTORY_COLUMNS = (
    "notification_id",
    "occurred_at",
    "subject_id",
    "event_type",
    "categories",
    "purposes",
    "recipient",
    "country",
    "legal_basis",
    "safeguard",
    "reference",
    "detail",
    "reported_by",
)


def _subject_filter(kirjuri: Kirjuri, reference: str | None) -> str | None:
    """An optional subject filter, resolved, with read models brought current."""
    kirjuri.catch_up()
    return str(kirjuri.resolve(reference)) if reference else None


def _run_history(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        subject = _subject_filter(kirjuri, args.subject)
        rows = queries.history(
            kirjuri.ledger.database,
            queries.HistoryFilter(
                subject=subject,
                recipient=args.recipient,
                purpose=args.purpose,
                category=args.category,
                event_type=args.type,
                country=args.country,
                since=_moment(args.since, "since"),
                until=_moment(args.until, "until"),
                limit=args.limit,
            ),
        )
    write_rows(rows, HISTORY_COLUMNS, args.format, sys.stdout)
    return EX_OK


def _run_subjects(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        rows = [match.as_row() for match in kirjuri.subjects(args.search)]
    columns = ("subject_id", "name", "email", "company", "registered_at")
    write_rows(rows, columns, args.format, sys.stdout)
    return EX_OK


def _run_state(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        subject = kirjuri.resolve(args.subject)
        as_of = _moment(args.as_of, "as-of")
        if as_of is not None and args.as_of and len(args.as_of) == 10:
            # A date means the whole of that day.
            as_of = datetime.combine(as_of.date(), time.max, as_of.tzinfo)
        described = describe_state(
            kirjuri.ledger, subject, as_of, _moment(args.known_at, "known-at")
        )
    print(json.dumps(described, indent=2, ensure_ascii=False, default=str))
    return EX_OK


def _run_findings(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        subject = _subject_filter(kirjuri, args.subject)
        rows = queries.findings(kirjuri.ledger.database, subject)
    columns = (
        "occurred_at",
        "subject_id",
        "rule",
        "about_event",
        "about_version",
        "detail",
    )
    write_rows(rows, columns, args.format, sys.stdout)
    return EX_OK


def _run_requests(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        subject = _subject_filter(kirjuri, args.subject)
        rows = queries.requests(kirjuri.ledger.database, subject, date.today())
    if args.open:
        rows = [r for r in rows if r["status"] == "open"]
    columns = (
        "request_id",
        "subject_id",
        "request_type",
        "channel",
        "received_on",
        "due_on",
        "status",
        "answered_on",
        "overdue",
        "number_in_year",
    )
    write_rows(rows, columns, args.format, sys.stdout)
    return EX_OK


def _run_projections(args: argparse.Namespace, settings: Settings) -> int:
    with _open(settings) as kirjuri:
        if args.action == "rebuild":
            count = kirjuri.projector.rebuild(progress_for("rebuild"))
            print(f"rebuilt from {count} events")
        elif args.action == "catch-up":
            print(f"applied {kirjuri.catch_up(progress_for('catch-up'))} events")
        head = kirjuri.ledger.head()
        for name, position in kirjuri.projector.positions().items():
            print(f"{name}: {position}/{head}")
    return EX_OK


# Entry point -----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_environ()
    configure_logging(args.log_level or settings.log_level)
    try:
        code: int = args.handler(args, settings)
    except KirjuriError as err:
        print(f"kirjuri: error: {err}", file=sys.stderr)
        return err.exit_code
    except PersistenceError as err:
        print(f"kirjuri: error: database: {err}", file=sys.stderr)
        return EX_IOERR
    except BrokenPipeError:
        return EX_IOERR  # the output was cut short: never a silent success
    except KeyboardInterrupt:
        return 130  # Ctrl-C: no traceback
    return code


if __name__ == "__main__":
    sys.exit(main())
