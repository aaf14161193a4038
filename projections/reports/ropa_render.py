"""The Art. 30 record as a document (HTML, Markdown, PDF) and as CSV.

The document is outlined once, like the access report, and printed by the
same renderers; the CSV has one row per activity and recipient, for a
spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from projections.reports.document import (
    BLANK,
    Block,
    Fields,
    Items,
    Outline,
    Para,
    Section,
    Sub,
    Table,
    cols,
    country_name,
    day_text,
    moment_day,
    moment_text,
    or_blank,
    yes_no,
)
from projections.reports.html import html_document
from projections.reports.markdown import markdown_document
from projections.reports.pdf import html_pdf
from projections.reports.ropa import period_text
from projections.reports.texts import text

if TYPE_CHECKING:
    from projections.reports.ropa import (
        ActivityEntry,
        ProcessingRecord,
        RecipientUse,
    )

__all__ = [
    "record_csv",
    "record_html",
    "record_json",
    "record_markdown",
    "record_outline",
    "record_pdf",
]


def record_json(record: ProcessingRecord) -> str:
    return record.model_dump_json(indent=2)


def record_html(record: ProcessingRecord) -> str:
    return html_document(record_outline(record))


def record_markdown(record: ProcessingRecord) -> str:
    return markdown_document(record_outline(record))


def record_pdf(record: ProcessingRecord) -> bytes:
    return html_pdf(record_html(record))


def record_outline(record: ProcessingRecord) -> Outline:
    lang = record.language
    title = text("ropa.title", lang)
    intro = text("ropa.intro", lang).format(
        day=day_text(record.generated_at.date(), lang), period=period_text(record)
    )
    sections = (
        _controller(record),
        _processors(record),
        *(_activity(record, n, a) for n, a in enumerate(record.activities, 1)),
        _security(record),
        _differences(record),
        _findings(record),
    )
    return Outline(
        language=lang,
        title=title,
        intro=intro,
        sections=sections,
        footer=text("ropa.footer", lang).format(
            controller=record.controller, events=record.ledger_events
        )
        + " "
        + moment_text(record.generated_at, lang),
        running=f"{text('ropa.running', lang)} · {record.controller}",
        page=text("label.page", lang),
    )


def _controller(record: ProcessingRecord) -> Section:
    lang = record.language
    fields = (
        (text("ropa.controller", lang), record.controller),
        (text("ropa.business_id", lang), or_blank(record.business_id)),
        (text("ropa.address", lang), record.address),
        (text("ropa.contact", lang), record.contact),
        (
            text("ropa.privacy_email", lang),
            record.privacy_email or text("ropa.not_given", lang),
        ),
        (text("ropa.dpo", lang), record.dpo or text("ropa.dpo_none", lang)),
        (text("ropa.supervisory_authority", lang), record.supervisory_authority),
    )
    return Section(
        "controller", text("ropa.heading.controller", lang), (Fields(fields),)
    )


def _processors(record: ProcessingRecord) -> Section:
    lang = record.language
    intro = text("ropa.processors_intro", lang)
    blocks = _recipient_table(record, record.processors, intro)
    return Section("processors", text("ropa.heading.processors", lang), tuple(blocks))


def _activity(
    record: ProcessingRecord, number: int, activity: ActivityEntry
) -> Section:
    lang = record.language
    categories = ", ".join(activity.categories) or text("ropa.categories_any", lang)
    observed = ", ".join(activity.categories_observed) or BLANK
    fields = [
        (text("ropa.purpose", lang), activity.name),
        (text("ropa.legal_basis", lang), activity.legal_basis_label),
    ]
    if activity.interest:
        fields.append((text("ropa.interest", lang), activity.interest))
    fields += [
        (
            text("ropa.data_subjects", lang),
            record.data_subjects or text("ropa.not_given", lang),
        ),
        (text("ropa.categories", lang), categories),
        (text("ropa.categories_observed", lang), observed),
        (
            text("ropa.recipient_types", lang),
            ", ".join(activity.recipient_types) or BLANK,
        ),
    ]
    blocks: list[Block] = [Fields(tuple(fields))]
    blocks += _recipients(record, activity)
    blocks += _transfers(record, activity)
    blocks.append(Sub(text("ropa.retention", lang)))
    blocks.append(
        Items(
            tuple(f"{', '.join(r.categories)}: {r.period}" for r in activity.retention),
            titled=True,
        )
    )
    heading = text("ropa.heading.activity", lang).format(purpose=activity.name)
    return Section(f"activity-{number}", heading, tuple(blocks))


def _recipients(record: ProcessingRecord, activity: ActivityEntry) -> list[Block]:
    lang = record.language
    heading = Sub(text("ropa.recipients", lang))
    if not activity.recipients:
        return [heading, Para(text("ropa.no_recipients", lang))]
    return [heading, *_recipient_table(record, activity.recipients, None)]


def _recipient_table(
    record: ProcessingRecord, recipients: list[RecipientUse], intro: str | None
) -> list[Block]:
    lang = record.language
    columns = cols(
        lang,
        "ropa.col.recipient::30",
        "ropa.col.type",
        "ropa.col.country:code",
        "ropa.col.documented:code",
        "ropa.col.events:code",
        "ropa.col.subjects:code",
        "ropa.col.first:date",
        "ropa.col.last:date",
    )
    rows = tuple(_recipient_row(record, r) for r in recipients)
    return [*((Para(intro),) if intro else ()), Table(columns, rows)]


def _recipient_row(
    record: ProcessingRecord, r: RecipientUse
) -> tuple[str | tuple[str, ...], ...]:
    lang = record.language
    return (
        r.name,
        r.type_label or BLANK,
        country_name(r.country, lang) if r.country else BLANK,
        yes_no(r.documented, lang),
        str(r.events),
        str(r.subjects),
        moment_day(r.first, lang) if r.first else BLANK,
        moment_day(r.last, lang) if r.last else BLANK,
    )


def _transfers(record: ProcessingRecord, activity: ActivityEntry) -> list[Block]:
    lang = record.language
    heading = Sub(text("ropa.transfers", lang))
    if not activity.transfers:
        return [heading, Para(text("ropa.no_transfers", lang))]
    lines = []
    for t in activity.transfers:
        if t.observed and t.first and t.last:
            lines.append(
                text("ropa.transfer_observed", lang).format(
                    recipient=t.recipient,
                    country=t.country,
                    safeguard=t.safeguard,
                    events=t.events,
                    subjects=t.subjects,
                    first=moment_day(t.first, lang),
                    last=moment_day(t.last, lang),
                )
            )
        else:
            lines.append(
                text("ropa.transfer_documented", lang).format(
                    recipient=t.recipient, country=t.country, safeguard=t.safeguard
                )
            )
    return [heading, Items(tuple(lines))]


def _security(record: ProcessingRecord) -> Section:
    lang = record.language
    return Section(
        "security",
        text("ropa.heading.security", lang),
        (Items(tuple(record.security_measures)),),
    )


def _differences(record: ProcessingRecord) -> Section:
    lang = record.language
    blocks: tuple[Block, ...] = (
        (Items(tuple(d.text for d in record.differences)),)
        if record.differences
        else (Para(text("ropa.no_differences", lang)),)
    )
    return Section("differences", text("ropa.heading.differences", lang), blocks)


def _findings(record: ProcessingRecord) -> Section:
    lang = record.language
    if not record.findings:
        blocks: tuple[Block, ...] = (Para(text("ropa.no_findings", lang)),)
    else:
        columns = cols(
            lang, "ropa.col.rule:code", "ropa.col.meaning", "ropa.col.findings:code"
        )
        rows = tuple((f.rule, f.label, str(f.findings)) for f in record.findings)
        blocks = (Table(columns, rows),)
    return Section("findings", text("ropa.heading.findings", lang), blocks)


_CSV_COLUMNS = (
    "activity",
    "purpose",
    "legal_basis",
    "data_subjects",
    "categories",
    "recipient",
    "recipient_type",
    "recipient_country",
    "in_policy",
    "safeguard",
    "events",
    "people",
    "first",
    "last",
    "retention",
)


def record_csv(record: ProcessingRecord) -> str:
    """One row per activity and recipient (an activity without one: a row
    with the recipient's columns empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for activity in record.activities:
        common = [
            activity.id,
            activity.name,
            activity.legal_basis,
            record.data_subjects or "",
            "; ".join(activity.categories),
        ]
        retention = " | ".join(
            f"{', '.join(r.categories)}: {r.period}" for r in activity.retention
        )
        if not activity.recipients:
            writer.writerow([*common, *[""] * 9, retention])
        for r in activity.recipients:
            writer.writerow(
                [
                    *common,
                    r.name,
                    r.type_label,
                    r.country,
                    "yes" if r.documented else "no",
                    r.safeguard or "",
                    r.events,
                    r.subjects,
                    r.first.isoformat() if r.first else "",
                    r.last.isoformat() if r.last else "",
                    retention,
                ]
            )
    return out.getvalue()
