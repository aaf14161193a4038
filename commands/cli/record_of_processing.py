"""``kirjuri ropa``: the record of processing activities (GDPR Art. 30(1))."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands.cli.common import EX_OK, file_name, moment, write_output
from commands.service import Kirjuri
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
        "-o", "--output", type=file_name, metavar="FILE", help="write to FILE"
    )
    ropa.set_defaults(handler=run_ropa)


def run_ropa(args: argparse.Namespace, settings: Settings) -> int:
    since, until = moment(args.since, "since"), moment(args.until, "until")
    with Kirjuri.open(settings) as kirjuri:
        record = kirjuri.processing_record(since=since, until=until, language=args.lang)
    write_output(RENDER[args.format](record), args.output)
    return EX_OK
