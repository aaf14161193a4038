"""Renderings of the access report: JSON, Markdown and printable HTML.

Markdown and HTML are written from one outline of the document (sections of
paragraphs, field lists and tables), so the two always carry the same
content in the same order: the controller, the subject and the request,
then Art. 15(1)(a)-(h), Art. 15(2), and a block to sign.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, assert_never
from zoneinfo import ZoneInfo

from projections.reports.texts import text

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime

    from projections.reports.access import (
        AccessReport,
        HeldValue,
        RecipientEntry,
        Switch,
    )

__all__ = ["Outline", "outline", "render_html", "render_json", "render_markdown"]

# Dates are shown as the controller (in Finland) saw them.
_LOCAL = ZoneInfo("Europe/Helsinki")
_BLANK = "–"


# The outline ------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Sub:
    text: str


@dataclass(frozen=True)
class Fields:
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class SignOff:
    lines: tuple[str, ...]


Block = Para | Sub | Fields | Table | Items | SignOff


@dataclass(frozen=True)
class Section:
    anchor: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Outline:
    language: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    footer: str


# Formatting of values ---------------------------------------------------


def _day(value: date, lang: str) -> str:
    if lang == "fi":
        return f"{value.day}.{value.month}.{value.year}"
    return value.isoformat()


def _moment_day(value: datetime, lang: str) -> str:
    return _day(value.astimezone(_LOCAL).date(), lang)


def _moment(value: datetime, lang: str) -> str:
    local = value.astimezone(_LOCAL)
    if lang == "fi":
        return f"{_day(local.date(), lang)} klo {local.hour}.{local.minute:02d}"
    return local.isoformat(timespec="minutes")


def _label(prefix: str, value: str, lang: str) -> str:
    """The fixed label of a coded value, or the code itself if it has none
    (free identifiers such as channels, or codes of an older policy)."""
    try:
        return text(f"{prefix}.{value}", lang)
    except KeyError:
        return value


def _or_blank(value: str | None) -> str:
    return value if value else _BLANK


def _yes_no(value: bool, lang: str) -> str:
    return text("label.yes" if value else "label.no", lang)


def _or_none(blocks: Iterable[Block], when_empty: str, lang: str) -> tuple[Block, ...]:
    found = tuple(blocks)
    return found if found else (Para(text(when_empty, lang)),)


# Sections ---------------------------------------------------------------


def _controller(report: AccessReport) -> Section:
    lang, party = report.language, report.controller
    fields = Fields(
        (
            (text("label.name", lang), party.name),
            (text("label.address", lang), party.address),
            (text("label.contact", lang), party.contact),
        )
    )
    return Section("controller", text("heading.controller", lang), (fields,))


def _subject(report: AccessReport) -> Section:
    lang, subject = report.language, report.subject
    items = [
        (text("label.subject_id", lang), subject.id),
        (text("label.company", lang), _or_blank(subject.company)),
        (text("label.business_id", lang), _or_blank(subject.business_id)),
        (text("label.status", lang), _label("status", subject.status, lang)),
    ]
    if subject.registered_at is not None:
        registered = _moment_day(subject.registered_at, lang)
        items.append((text("label.registered_at", lang), registered))
    if subject.left_at is not None:
        items.append((text("label.left_at", lang), _moment_day(subject.left_at, lang)))
    return Section("subject", text("heading.subject", lang), (Fields(tuple(items)),))


def _request(report: AccessReport) -> Section:
    lang, request = report.language, report.request
    heading = text("heading.request", lang)
    if request is None:
        return Section("request", heading, (Para(text("none.request", lang)),))
    fee = "label.fee_free" if request.free_of_charge else "label.fee_charged"
    items = [
        (text("label.request_id", lang), request.request_id),
        (text("label.request_type", lang), _label("request", request.type, lang)),
        (text("label.received_via", lang), _label("channel", request.channel, lang)),
        (text("label.received_on", lang), _day(request.received_on, lang)),
        (text("label.due_on", lang), _day(request.due_on, lang)),
        (text("label.extended", lang), _yes_no(request.extended, lang)),
    ]
    if request.extended:
        reason = _or_blank(request.extension_reason)
        items.append((text("label.extension_reason", lang), reason))
    items += [
        (
            text("label.request_status", lang),
            _label("request_status", request.status, lang),
        ),
        (
            text("label.fee", lang),
            text(fee, lang).format(number=request.number_in_year),
        ),
    ]
    rule = Para(text("label.deadline_rule", lang))
    return Section("request", heading, (Fields(tuple(items)), rule))


def _purposes(report: AccessReport) -> Section:
    lang = report.language
    rows = tuple((p.label, p.legal_basis_label) for p in report.purposes)
    table = Table((text("label.purpose", lang), text("label.legal_basis", lang)), rows)
    blocks = (table,) if rows else ()
    return Section("a-purposes", text("heading.purposes", lang), blocks)


def _value(held: HeldValue, lang: str) -> str:
    return text("label.erased", lang) if held.value is None else held.value


def _note(held: HeldValue, lang: str) -> str:
    notes = [text("label.current" if held.current else "label.superseded", lang)]
    if held.rectified:
        notes.append(text("label.rectified", lang))
    return ", ".join(notes)


def _held_data(report: AccessReport) -> tuple[Block, ...]:
    lang, held = report.language, report.personal_data
    if not held:
        return (Para(text("none.personal_data", lang)),)
    labels = dict.fromkeys(v.category_label for v in held)
    current = tuple(
        (
            v.category_label,
            _value(v, lang),
            v.source_label,
            _moment_day(v.occurred_at, lang),
        )
        for v in held
        if v.current
    )
    history = tuple(
        (
            _moment_day(v.occurred_at, lang),
            v.category_label,
            _value(v, lang),
            v.source_label,
            _note(v, lang),
        )
        for v in held
    )
    cols = ("label.category", "label.value", "label.source", "label.recorded")
    history_cols = ("label.recorded", "label.category", "label.value", "label.source")
    return (
        Sub(text("heading.categories", lang)),
        Items(tuple(labels)),
        Sub(text("heading.current", lang)),
        Table(tuple(text(c, lang) for c in cols), current),
        Sub(text("heading.history", lang)),
        Table(tuple(text(c, lang) for c in (*history_cols, "label.note")), history),
    )


def _switch_row(switch: Switch, on: str, off: str, lang: str) -> tuple[str, ...]:
    return (
        switch.label,
        text(on if switch.active else off, lang),
        _moment_day(switch.since, lang),
        _label("channel", switch.channel, lang) if switch.channel else _BLANK,
        _or_blank(switch.evidence),
    )


def _switches(report: AccessReport) -> tuple[Block, ...]:
    lang = report.language
    tail = ("label.state", "label.since", "label.channel", "label.evidence")
    consent_rows = tuple(
        _switch_row(s, "label.given", "label.withdrawn", lang) for s in report.consents
    )
    objection_rows = tuple(
        _switch_row(s, "label.in_force", "label.lifted", lang)
        for s in report.objections
    )
    consents = Table(
        tuple(text(c, lang) for c in ("label.purpose", *tail)), consent_rows
    )
    objections = Table(
        tuple(text(c, lang) for c in ("label.objection", *tail)), objection_rows
    )
    restricted = "label.restricted" if report.restricted else "label.not_restricted"
    return (
        Sub(text("heading.consents", lang)),
        *_or_none([consents] if consent_rows else [], "none.consents", lang),
        Sub(text("heading.objections", lang)),
        *_or_none([objections] if objection_rows else [], "none.objections", lang),
        Sub(text("heading.restriction", lang)),
        Para(text(restricted, lang)),
    )


def _personal_data(report: AccessReport) -> Section:
    blocks = (*_held_data(report), *_switches(report))
    return Section(
        "b-personal-data", text("heading.personal_data", report.language), blocks
    )


def _recipient(recipient: RecipientEntry, lang: str) -> tuple[Block, ...]:
    fields = Fields(
        (
            (text("label.recipient_type", lang), recipient.type_label),
            (text("label.role", lang), _label("role", recipient.role, lang)),
            (text("label.country", lang), recipient.country),
        )
    )
    cols = ("label.date", "label.categories", "label.purpose", "label.legal_basis")
    rows = tuple(
        (
            _moment_day(d.occurred_at, lang),
            ", ".join(d.category_labels),
            d.purpose_label,
            _label("basis", d.legal_basis, lang),
            _or_blank(d.reference),
        )
        for d in recipient.disclosures
    )
    headers = tuple(text(c, lang) for c in (*cols, "label.reference"))
    return (Sub(recipient.name), fields, Table(headers, rows))


def _recipients(report: AccessReport) -> Section:
    lang = report.language
    blocks: list[Block] = []
    for recipient in report.recipients:
        blocks += _recipient(recipient, lang)
    if blocks:
        blocks.insert(0, Para(text("label.recipients_intro", lang)))
    found = _or_none(blocks, "none.recipients", lang)
    return Section("c-recipients", text("heading.recipients", lang), found)


def _retention(report: AccessReport) -> Section:
    lang = report.language
    cols = ("label.category", "label.retention", "label.criteria")
    rows = tuple(
        (r.category_label, r.retention_label, r.criteria) for r in report.retention
    )
    table = Table(tuple(text(c, lang) for c in cols), rows)
    return Section(
        "d-retention", text("heading.retention", lang), (table,) if rows else ()
    )


def _rights(report: AccessReport) -> Section:
    heading = text("heading.rights", report.language)
    return Section("ef-rights", heading, (Items(tuple(report.rights)),))


def _sources(report: AccessReport) -> Section:
    lang = report.language
    labels = {v.category: v.category_label for v in report.personal_data}
    labels.update({r.category: r.category_label for r in report.retention})
    rows = tuple(
        (s.label, ", ".join(labels.get(c, c) for c in s.categories))
        for s in report.sources
    )
    table = Table((text("label.source", lang), text("label.categories", lang)), rows)
    blocks = (Para(text("label.sources_intro", lang)), table) if rows else ()
    found = _or_none(blocks, "none.sources", lang)
    return Section("g-sources", text("heading.sources", lang), found)


def _automated(report: AccessReport) -> Section:
    heading = text("heading.automated", report.language)
    return Section("h-automated", heading, (Para(report.automated_decision_making),))


def _transfers(report: AccessReport) -> Section:
    lang = report.language
    cols = ("label.date", "label.recipient", "label.country", "label.categories")
    rows = tuple(
        (
            _moment_day(t.occurred_at, lang),
            t.recipient_name,
            t.country,
            ", ".join(t.category_labels),
            t.safeguard_label or _or_blank(t.safeguard),
        )
        for t in report.transfers
    )
    headers = tuple(text(c, lang) for c in (*cols, "label.safeguard"))
    blocks: tuple[Block, ...] = ()
    if rows:
        blocks = (
            Para(text("label.transfers_intro", lang)),
            Table(headers, rows),
            Para(text("label.transfers_copy", lang)),
        )
    found = _or_none(blocks, "none.transfers", lang)
    return Section("art15-2-transfers", text("heading.transfers", lang), found)


def _sign_off(report: AccessReport) -> Section:
    lang = report.language
    lines = ("label.sign_date", "label.sign_name", "label.signature")
    blocks = (
        Para(text("label.sign_off_intro", lang)),
        SignOff(tuple(text(line, lang) for line in lines)),
    )
    return Section("sign-off", text("heading.sign_off", lang), blocks)


_SECTIONS = (
    _controller,
    _subject,
    _request,
    _purposes,
    _personal_data,
    _recipients,
    _retention,
    _rights,
    _sources,
    _automated,
    _transfers,
    _sign_off,
)


def outline(report: AccessReport) -> Outline:
    """The report as a document: what both Markdown and HTML print."""
    lang = report.language
    return Outline(
        language=lang,
        title=text("heading.title", lang),
        intro=text("label.intro", lang),
        sections=tuple(build(report) for build in _SECTIONS),
        footer=text("label.footer", lang).format(
            moment=_moment(report.generated_at, lang)
        ),
    )


# JSON -------------------------------------------------------------------


def render_json(report: AccessReport) -> str:
    return report.model_dump_json(indent=2)


# Markdown ---------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def _md(value: str) -> str:
    """Literal text: no Markdown or raw HTML from a value, one line."""
    return " ".join(value.translate(_MD_SPECIAL).split())


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_md(h) for h in table.headers) + " |"]
    lines.append("|" + "---|" * len(table.headers))
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def _md_block(block: Block) -> list[str]:
    match block:
        case Para(text=body):
            return [_md(body), ""]
        case Sub(text=body):
            return [f"### {_md(body)}", ""]
        case Fields(items=items):
            return [*(f"- **{_md(k)}:** {_md(v)}" for k, v in items), ""]
        case Table():
            return _md_table(block)
        case Items(items=items):
            return [*(f"- {_md(item)}" for item in items), ""]
        case SignOff(lines=lines):
            return [
                *(f"{_md(line)}: ______________________________  " for line in lines),
                "",
            ]
        case _:
            assert_never(block)


def render_markdown(report: AccessReport) -> str:
    doc = outline(report)
    lines = [f"# {_md(doc.title)}", "", _md(doc.intro), ""]
    for section in doc.sections:
        lines += [f"## {_md(section.heading)}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    lines += ["---", "", f"*{_md(doc.footer)}*", ""]
    return "\n".join(lines)


# HTML -------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt;
  line-height: 1.45; color: #111; max-width: 180mm; margin: 0 auto;
  padding: 12mm 0; }
h1 { font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; padding-bottom: 1mm;
  border-bottom: 0.4mm solid #444; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
p { margin: 0 0 2mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 3mm; }
th, td { border: 0.2mm solid #999; padding: 1mm 1.5mm; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eee; }
table.fields th { width: 32%; background: #f6f6f6; font-weight: 600; }
ul { margin: 0 0 3mm; padding-left: 6mm; }
li { margin-bottom: 1.5mm; }
.sign-off .line { display: flex; align-items: flex-end; margin: 9mm 0 0; }
.sign-off .line span { width: 45mm; }
.sign-off .line i { flex: 1; border-bottom: 0.3mm solid #000; height: 6mm; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #555;
  border-top: 0.2mm solid #999; padding-top: 2mm; }
@media print {
  body { padding: 0; max-width: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, li, .sign-off { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _html_table(table: Table) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_block(block: Block) -> str:
    match block:
        case Para(text=body):
            return f"<p>{_e(body)}</p>"
        case Sub(text=body):
            return f"<h3>{_e(body)}</h3>"
        case Fields(items=items):
            rows = "".join(
                f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>'
                for k, v in items
            )
            return f'<table class="fields"><tbody>{rows}</tbody></table>'
        case Table():
            return _html_table(block)
        case Items(items=items):
            return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"
        case SignOff(lines=lines):
            return "".join(
                f'<div class="line"><span>{_e(line)}</span><i></i></div>'
                for line in lines
            )
        case _:
            assert_never(block)


def _html_section(section: Section) -> str:
    body = "".join(_html_block(block) for block in section.blocks)
    return (
        f'<section id="{_e(section.anchor)}" class="{_e(section.anchor)}">'
        f"<h2>{_e(section.heading)}</h2>{body}</section>"
    )


def render_html(report: AccessReport) -> str:
    """A complete, self-contained document to print, read and sign."""
    doc = outline(report)
    sections = "\n".join(_html_section(section) for section in doc.sections)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(doc.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(doc.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(doc.title)}</h1><p>{_e(doc.intro)}</p></header>\n"
        f"<main>\n{sections}\n</main>\n"
        f"<footer>{_e(doc.footer)}</footer>\n</body>\n</html>\n"
    )
