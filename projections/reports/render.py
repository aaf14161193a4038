"""Renderings of the access report: JSON, Markdown and printable HTML.

Markdown and HTML are written from one outline of the document (sections of
paragraphs, field lists and tables), so the two always carry the same
content in the same order: the controller, the subject and the request,
then Art. 15(1)(a)-(h), Art. 15(2), and a block to sign.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, assert_never
from zoneinfo import ZoneInfo

from projections.reports.texts import text

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date, datetime

    from projections.reports.access import (
        AccessReport,
        Disclosure,
        HeldValue,
        RecipientEntry,
        RequestEntry,
        RetentionEntry,
        SourceEntry,
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


# How a column is laid out: "text" wraps between words; "date" and "code"
# (references, short states) are never broken inside; "list" shows the
# values of a cell as a bulleted list.
ColumnKind = Literal["text", "date", "code", "list"]

# A cell holds one value, or several (a list of categories, a note under a
# value): one per line, never joined with commas that a label may contain.
Cell = str | tuple[str, ...]


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = "text"
    width: int | None = None  # percent of the table; None: as the content needs


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    titled: bool = False  # each item opens with a title ending in ": "


@dataclass(frozen=True)
class SignOff:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Keep:
    """Blocks printed on one page where they fit (a recipient and its table)."""

    blocks: tuple[Block, ...]


Block = Para | Sub | Fields | Table | Items | SignOff | Keep


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
    running: str  # printed at the foot of every page, beside its number
    page: str  # the word for "page"


# Formatting of values ---------------------------------------------------


def _day(value: date, lang: str) -> str:
    if lang == "fi":
        return f"{value.day}.{value.month}.{value.year}"
    return value.isoformat()


def _moment_day(value: datetime, lang: str) -> str:
    return _day(value.astimezone(_LOCAL).date(), lang)


def _moment(value: datetime, lang: str) -> str:
    local = value.astimezone(_LOCAL)
    day = _day(local.date(), lang)
    if lang == "fi":
        return f"{day} klo {local.hour}.{local.minute:02d}"
    return f"{day} at {local:%H:%M} ({text('label.time_zone', lang)})"


def _label(prefix: str, value: str, lang: str) -> str:
    """The fixed label of a coded value, or the code itself if it has none
    (free identifiers such as channels, or codes of an older policy)."""
    try:
        return text(f"{prefix}.{value}", lang)
    except KeyError:
        return value


def _country(code: str, lang: str) -> str:
    return _label("country", code, lang)


def _or_blank(value: str | None) -> str:
    return value if value else _BLANK


def _yes_no(value: bool, lang: str) -> str:
    return text("label.yes" if value else "label.no", lang)


def _or_none(blocks: Iterable[Block], when_empty: str, lang: str) -> tuple[Block, ...]:
    found = tuple(blocks)
    return found if found else (Para(text(when_empty, lang)),)


_KINDS: dict[str, ColumnKind] = {
    "": "text",
    "date": "date",
    "code": "code",
    "list": "list",
}


def _column(spec: str, lang: str) -> Column:
    """A column from "key[:kind[:percent]]", e.g. "label.date:date" or
    "label.purpose::35"."""
    key, kind, width = [*spec.split(":"), "", ""][:3]
    return Column(text(key, lang), _KINDS[kind], int(width) if width else None)


def _cols(lang: str, *specs: str) -> tuple[Column, ...]:
    return tuple(_column(spec, lang) for spec in specs)


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


def _name_of(report: AccessReport) -> str | None:
    """The person's current name, where the policy records one as "name"."""
    names = [v for v in report.personal_data if v.category == "name" and v.current]
    return names[-1].value if names else None


def _subject(report: AccessReport) -> Section:
    lang, subject = report.language, report.subject
    name = _name_of(report)
    items = [(text("label.name", lang), name)] if name else []
    items += [
        (text("label.company", lang), _or_blank(subject.company)),
        (text("label.business_id", lang), _or_blank(subject.business_id)),
        (text("label.status", lang), _label("status", subject.status, lang)),
    ]
    if subject.registered_at is not None:
        registered = _moment_day(subject.registered_at, lang)
        items.append((text("label.registered_at", lang), registered))
    if subject.left_at is not None:
        items.append((text("label.left_at", lang), _moment_day(subject.left_at, lang)))
    items.append((text("label.subject_id", lang), subject.id))
    return Section("subject", text("heading.subject", lang), (Fields(tuple(items)),))


def _extension(request: RequestEntry, lang: str) -> list[tuple[str, str]]:
    """How the deadline was extended (Art. 12(3)): why, and when the person
    was told."""
    if not request.extended:
        return []
    items = [
        (text("label.extension_reason", lang), _or_blank(request.extension_reason))
    ]
    if request.extension_notified_on is not None:
        notified = _day(request.extension_notified_on, lang)
        items.append((text("label.extension_notified_on", lang), notified))
    return items


def _request(report: AccessReport) -> Section:
    lang, request = report.language, report.request
    heading = text("heading.request", lang)
    if request is None:
        return Section("request", heading, (Para(text("none.request", lang)),))
    fee = "label.fee_free" if request.free_of_charge else "label.fee_charged"
    status = _label("request_status", request.status, lang)
    items = [
        (text("label.request_id", lang), request.request_id),
        (text("label.request_type", lang), _label("request", request.type, lang)),
        (text("label.received_via", lang), _label("channel", request.channel, lang)),
        (text("label.received_on", lang), _day(request.received_on, lang)),
        (text("label.due_on", lang), _day(request.due_on, lang)),
        (text("label.extended", lang), _yes_no(request.extended, lang)),
        *_extension(request, lang),
        (text("label.request_status", lang), status),
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
    table = Table(_cols(lang, "label.purpose", "label.legal_basis"), rows)
    blocks = (table,) if rows else ()
    return Section("a-purposes", text("heading.purposes", lang), blocks)


def _value(held: HeldValue, lang: str) -> str:
    return text("label.erased", lang) if held.value is None else held.value


def _recorded(held: HeldValue, lang: str) -> Cell:
    day = _moment_day(held.occurred_at, lang)
    return (day, text("label.rectified", lang)) if held.rectified else day


def _replaced_on(held: Sequence[HeldValue]) -> dict[int, datetime]:
    """When each earlier value was replaced: by the next value of its category
    (values come oldest first)."""
    replaced: dict[int, datetime] = {}
    latest: dict[str, int] = {}
    for index, value in enumerate(held):
        if value.category in latest:
            replaced[latest[value.category]] = value.occurred_at
        latest[value.category] = index
    return replaced


def _categories(report: AccessReport) -> tuple[str, ...]:
    """Every category held, the company details (kept with the registration)
    included, in the order first recorded."""
    labels = dict.fromkeys(v.category_label for v in report.personal_data)
    labels.update(dict.fromkeys(r.category_label for r in report.retention))
    return tuple(labels)


def _current_data(report: AccessReport) -> Table:
    lang = report.language
    rows = tuple(
        (v.category_label, _value(v, lang), _recorded(v, lang), v.source_label)
        for v in report.personal_data
        if v.current
    )
    columns = _cols(
        lang, "label.category", "label.value", "label.recorded:date", "label.source"
    )
    return Table(columns, rows)


def _earlier_data(report: AccessReport) -> tuple[Block, ...]:
    lang, held = report.language, report.personal_data
    replaced = _replaced_on(held)
    rows = tuple(
        (
            v.category_label,
            _value(v, lang),
            _recorded(v, lang),
            _moment_day(replaced[i], lang) if i in replaced else _BLANK,
            v.source_label,
        )
        for i, v in enumerate(held)
        if not v.current
    )
    if not rows:
        return ()
    columns = _cols(
        lang,
        "label.category",
        "label.value",
        "label.recorded:date",
        "label.replaced:date",
        "label.source",
    )
    intro = Para(text("label.history_intro", lang))
    return (Sub(text("heading.history", lang)), intro, Table(columns, rows))


def _held_data(report: AccessReport) -> tuple[Block, ...]:
    lang = report.language
    if not report.personal_data:
        return (Para(text("none.personal_data", lang)),)
    return (
        Sub(text("heading.categories", lang)),
        Items(_categories(report)),
        Sub(text("heading.current", lang)),
        _current_data(report),
        *_earlier_data(report),
    )


def _switch_row(switch: Switch, on: str, off: str, lang: str) -> tuple[Cell, ...]:
    return (
        switch.label,
        text(on if switch.active else off, lang),
        _moment_day(switch.since, lang),
        _label("channel", switch.channel, lang) if switch.channel else _BLANK,
        _or_blank(switch.evidence),
    )


def _switch_table(first: str, rows: tuple[tuple[Cell, ...], ...], lang: str) -> Table:
    tail = ("label.state:code", "label.since:date", "label.channel", "label.evidence")
    return Table(_cols(lang, first, *tail), rows)


def _switches(report: AccessReport) -> tuple[Block, ...]:
    lang = report.language
    consents = tuple(
        _switch_row(s, "label.given", "label.withdrawn", lang) for s in report.consents
    )
    objections = tuple(
        _switch_row(s, "label.in_force", "label.lifted", lang)
        for s in report.objections
    )
    consent_table = [_switch_table("label.purpose", consents, lang)] if consents else []
    objection_table = (
        [_switch_table("label.objection", objections, lang)] if objections else []
    )
    restricted = "label.restricted" if report.restricted else "label.not_restricted"
    return (
        Sub(text("heading.consents", lang)),
        *_or_none(consent_table, "none.consents", lang),
        Sub(text("heading.objections", lang)),
        *_or_none(objection_table, "none.objections", lang),
        Sub(text("heading.restriction", lang)),
        Para(text(restricted, lang)),
    )


def _erasure_blocks(report: AccessReport) -> tuple[Block, ...]:
    """What an erasure or a retention expiry destroyed, and what the law kept."""
    lang = report.language
    blocks: list[Block] = []
    for erasure in report.erasures:
        day = _moment_day(erasure.occurred_at, lang)
        key = (
            "label.erasure_done"
            if erasure.kind == "erasure"
            else "label.retention_done"
        )
        said = text(key, lang).format(
            day=day, categories="; ".join(erasure.destroyed_labels) or "–"
        )
        if erasure.request_id:
            said += " " + text("label.erasure_request", lang).format(
                request=erasure.request_id
            )
        blocks += [Sub(text("heading.erasure", lang)), Para(said)]
        if erasure.kept:
            columns = _cols(
                lang,
                "label.categories:list:34",
                "label.ground::40",
                "label.kept_until:date",
            )
            rows = tuple(
                (
                    tuple(k.category_labels),
                    k.ground,
                    _day(k.until, lang) if k.until else text("label.kept_while", lang),
                )
                for k in erasure.kept
            )
            blocks += [Para(text("label.kept_intro", lang)), Table(columns, rows)]
    return tuple(blocks)


def _personal_data(report: AccessReport) -> Section:
    blocks = (*_held_data(report), *_erasure_blocks(report), *_switches(report))
    return Section(
        "b-personal-data", text("heading.personal_data", report.language), blocks
    )


def _disclosure_row(disclosure: Disclosure, lang: str) -> tuple[Cell, ...]:
    return (
        _moment_day(disclosure.occurred_at, lang),
        tuple(disclosure.category_labels),
        disclosure.purpose_label,
        _label("basis", disclosure.legal_basis, lang),
        _or_blank(disclosure.reference),
    )


def _recipient(recipient: RecipientEntry, lang: str) -> Keep:
    fields = Fields(
        (
            (text("label.recipient_type", lang), recipient.type_label),
            (text("label.role", lang), _label("role", recipient.role, lang)),
            (text("label.country", lang), _country(recipient.country, lang)),
        )
    )
    columns = _cols(
        lang,
        "label.date:date",
        "label.categories:list:30",
        "label.purpose::34",
        "label.legal_basis::24",
        "label.reference:code",
    )
    rows = tuple(_disclosure_row(d, lang) for d in recipient.disclosures)
    return Keep((Sub(recipient.name), fields, Table(columns, rows)))


def _recipients(report: AccessReport) -> Section:
    lang = report.language
    blocks: list[Block] = [_recipient(r, lang) for r in report.recipients]
    if blocks:
        blocks.insert(0, Para(text("label.recipients_intro", lang)))
    found = _or_none(blocks, "none.recipients", lang)
    return Section("c-recipients", text("heading.recipients", lang), found)


def _retention_note(entry: RetentionEntry, lang: str) -> Cell:
    """The criteria, and where erasure does not reach the data, why (Art. 17(3))."""
    if not entry.kept_against_erasure:
        return entry.criteria
    ground = _or_blank(entry.legal_ground)
    kept = text("label.kept_against_erasure", lang).format(ground=ground)
    return (entry.criteria, kept)


def _retention(report: AccessReport) -> Section:
    """One row per retention period, with every category it covers, in the
    order the categories are listed under (b)."""
    lang = report.language
    order = {label: i for i, label in enumerate(_categories(report))}
    groups: dict[str, list[RetentionEntry]] = {}
    for entry in sorted(report.retention, key=lambda e: order[e.category_label]):
        groups.setdefault(entry.retention, []).append(entry)
    rows = tuple(
        (
            entries[0].retention_label,
            tuple(e.category_label for e in entries),
            _retention_note(entries[0], lang),
        )
        for entries in groups.values()
    )
    columns = _cols(lang, "label.retention", "label.categories:list", "label.criteria")
    blocks = (Table(columns, rows),) if rows else ()
    return Section("d-retention", text("heading.retention", lang), blocks)


def _rights(report: AccessReport) -> Section:
    heading = text("heading.rights", report.language)
    return Section("ef-rights", heading, (Items(tuple(report.rights), titled=True),))


def _source_row(
    source: SourceEntry, labels: dict[str, str], lang: str
) -> tuple[Cell, ...]:
    provided_by = "label.by_you" if source.from_subject else "label.by_other"
    return (
        source.label,
        text(provided_by, lang),
        tuple(labels.get(c, c) for c in source.categories),
    )


def _sources(report: AccessReport) -> Section:
    lang = report.language
    labels = {v.category: v.category_label for v in report.personal_data}
    labels.update({r.category: r.category_label for r in report.retention})
    rows = tuple(_source_row(s, labels, lang) for s in report.sources)
    columns = _cols(lang, "label.source", "label.provided_by", "label.categories:list")
    blocks = (Para(text("label.sources_intro", lang)), Table(columns, rows))
    found = _or_none(blocks if rows else (), "none.sources", lang)
    return Section("g-sources", text("heading.sources", lang), found)


def _automated(report: AccessReport) -> Section:
    heading = text("heading.automated", report.language)
    return Section("h-automated", heading, (Para(report.automated_decision_making),))


def _transfer_row(transfer: Disclosure, lang: str) -> tuple[Cell, ...]:
    return (
        _moment_day(transfer.occurred_at, lang),
        transfer.recipient_name,
        _country(transfer.country, lang),
        tuple(transfer.category_labels),
        transfer.safeguard_label or _or_blank(transfer.safeguard),
    )


def _transfers(report: AccessReport) -> Section:
    lang = report.language
    columns = _cols(
        lang,
        "label.date:date",
        "label.recipient::18",
        "label.country::12",
        "label.categories:list:32",
        "label.safeguard::30",
    )
    rows = tuple(_transfer_row(t, lang) for t in report.transfers)
    blocks: tuple[Block, ...] = ()
    if rows:
        blocks = (
            Para(text("label.transfers_intro", lang)),
            Table(columns, rows),
            Para(text("label.transfers_copy", lang)),
        )
    found = _or_none(blocks, "none.transfers", lang)
    return Section("art15-2-transfers", text("heading.transfers", lang), found)


def _integrity(report: AccessReport) -> Section:
    lang, proof = report.language, report.integrity
    heading = text("heading.integrity", lang)
    if proof is None:
        return Section("integrity", heading, (Para(text("none.integrity", lang)),))
    fields = Fields(
        (
            (text("label.ledger", lang), proof.origin),
            (text("label.checkpoint", lang), str(proof.tree_size)),
            (text("label.root", lang), proof.root),
            (text("label.issued", lang), _moment(proof.issued_at, lang)),
            (text("label.public_key", lang), proof.public_key),
        )
    )
    intro = text("label.integrity_intro", lang).format(events=proof.subject_events)
    return Section("integrity", heading, (Para(intro), fields))


def _sign_off(report: AccessReport) -> Section:
    lang = report.language
    lines = ("label.sign_date", "label.sign_name", "label.signature")
    intro = text("label.sign_off_intro", lang).format(controller=report.controller.name)
    blocks = (Para(intro), SignOff(tuple(text(line, lang) for line in lines)))
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
    _integrity,
    _sign_off,
)


def outline(report: AccessReport) -> Outline:
    """The report as a document: what both Markdown and HTML print."""
    lang = report.language
    title = text("heading.title", lang)
    request = report.request
    return Outline(
        language=lang,
        title=title,
        intro=text("label.intro", lang),
        sections=tuple(build(report) for build in _SECTIONS),
        footer=text("label.footer", lang).format(
            moment=_moment(report.generated_at, lang)
        ),
        running=f"{title} · {request.request_id}" if request else title,
        page=text("label.page", lang),
    )


# JSON -------------------------------------------------------------------


def render_json(report: AccessReport) -> str:
    return report.model_dump_json(indent=2)


# Markdown ---------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def _md(value: str) -> str:
    """Literal text: no Markdown or raw HTML from a value, one line."""
    return " ".join(value.translate(_MD_SPECIAL).split())


def _md_cell(cell: Cell, kind: ColumnKind) -> str:
    """One line: the items of a list cell by semicolons, a note by a dash."""
    if isinstance(cell, str):
        return _md(cell)
    return ("; " if kind == "list" else " — ").join(_md(c) for c in cell)


def _md_row(table: Table, row: tuple[Cell, ...]) -> str:
    cells = (
        _md_cell(cell, column.kind)
        for column, cell in zip(table.columns, row, strict=True)
    )
    return "| " + " | ".join(cells) + " |"


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_md(c.header) for c in table.columns) + " |"]
    lines.append("|" + "---|" * len(table.columns))
    lines += [_md_row(table, row) for row in table.rows]
    return [*lines, ""]


def _title(item: str, titled: bool) -> tuple[str, str]:
    """An item's title (through its first ": ") and the rest; no title when
    the item is not titled or has none."""
    title, colon, rest = item.partition(": ")
    return (title + ":", rest) if titled and colon else ("", item)


def _md_item(item: str, titled: bool) -> str:
    title, rest = _title(item, titled)
    return f"**{_md(title)}** {_md(rest)}" if title else _md(rest)


def _md_lines(block: Para | Sub | Fields | Items | SignOff) -> list[str]:
    match block:
        case Para(text=body):
            return [_md(body)]
        case Sub(text=body):
            return [f"### {_md(body)}"]
        case Fields(items=items):
            return [f"- **{_md(k)}:** {_md(v)}" for k, v in items]
        case Items(items=items, titled=titled):
            return [f"- {_md_item(item, titled)}" for item in items]
        case SignOff(lines=lines):
            return [f"{_md(line)}: ______________________________  " for line in lines]
        case _:
            assert_never(block)


def _md_block(block: Block) -> list[str]:
    match block:
        case Keep(blocks=blocks):
            return [line for inner in blocks for line in _md_block(inner)]
        case Table():
            return _md_table(block)
        case Para() | Sub() | Fields() | Items() | SignOff():
            return [*_md_lines(block), ""]
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
@page { size: A4; margin: 16mm 16mm 18mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
  font-size: 10pt; line-height: 1.4; color: #111; max-width: 180mm;
  margin: 0 auto; padding: 12mm 0; }
h1 { font-size: 16pt; margin: 0 0 3mm; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; padding-bottom: 1mm;
  border-bottom: 0.4mm solid #444; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
p { margin: 0 0 2mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 3mm;
  font-size: 9pt; line-height: 1.3; }
th, td { border: 0.2mm solid #999; padding: 1mm 1.5mm; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
thead th { background: #ececec; }
th.date, td.date, th.code, td.code { white-space: nowrap; width: 1%; }
td > div + div { margin-top: 1mm; }
td.list ul { margin: 0; padding-left: 3.5mm; }
td.list li { margin: 0 0 0.6mm; }
table.fields { font-size: 10pt; }
table.fields th { width: 30%; background: #f6f6f6; font-weight: 600; }
ul { margin: 0 0 3mm; padding-left: 6mm; }
li { margin-bottom: 1.5mm; }
.sign-off .line { display: flex; align-items: flex-end; margin: 10mm 0 0; }
.sign-off .line span { width: 50mm; }
.sign-off .line i { flex: 1; border-bottom: 0.3mm solid #000; height: 6mm; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #555;
  border-top: 0.2mm solid #999; padding-top: 2mm; }
@media print {
  body { padding: 0; max-width: none; }
  h2, h3, p:has(+ table) { break-after: avoid; page-break-after: avoid; }
  tr, li, .keep, .sign-off { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"""

_PAGE_FONT = "font: 8pt Arial, sans-serif; color: #555;"


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _css_string(value: str) -> str:
    """A CSS string literal that no text can end early: everything but
    letters, digits and spaces is written as a hexadecimal escape (which
    the space after it ends)."""
    body = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in value)
    return f'"{body}"'


def _page_css(doc: Outline) -> str:
    """The foot of every printed page: what the document is, and which page."""
    number = f'{_css_string(doc.page + " ")} counter(page) " / " counter(pages)'
    return (
        "@page {"
        f" @bottom-left {{ content: {_css_string(doc.running)}; {_PAGE_FONT} }}"
        f" @bottom-right {{ content: {number}; {_PAGE_FONT} }}"
        " }\n"
    )


def _html_cell(cell: Cell, kind: ColumnKind) -> str:
    if isinstance(cell, str):
        return _e(cell)
    if kind == "list":
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in cell) + "</ul>"
    return "".join(f"<div>{_e(line)}</div>" for line in cell)


def _kind(column: Column) -> str:
    return "" if column.kind == "text" else f' class="{column.kind}"'


def _width(column: Column) -> str:
    return "" if column.width is None else f' style="width: {column.width}%"'


def _html_row(table: Table, row: tuple[Cell, ...]) -> str:
    cells = "".join(
        f"<td{_kind(column)}>{_html_cell(cell, column.kind)}</td>"
        for column, cell in zip(table.columns, row, strict=True)
    )
    return f"<tr>{cells}</tr>"


def _html_table(table: Table) -> str:
    head = "".join(
        f'<th scope="col"{_kind(c)}{_width(c)}>{_e(c.header)}</th>'
        for c in table.columns
    )
    body = "".join(_html_row(table, row) for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_fields(items: tuple[tuple[str, str], ...]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in items
    )
    return f'<table class="fields"><tbody>{rows}</tbody></table>'


def _html_item(item: str, titled: bool) -> str:
    title, rest = _title(item, titled)
    return f"<strong>{_e(title)}</strong> {_e(rest)}" if title else _e(rest)


def _html_text(block: Para | Sub | Items | SignOff) -> str:
    match block:
        case Para(text=body):
            return f"<p>{_e(body)}</p>"
        case Sub(text=body):
            return f"<h3>{_e(body)}</h3>"
        case Items(items=items, titled=titled):
            entries = "".join(f"<li>{_html_item(i, titled)}</li>" for i in items)
            return f"<ul>{entries}</ul>"
        case SignOff(lines=lines):
            return "".join(
                f'<div class="line"><span>{_e(line)}</span><i></i></div>'
                for line in lines
            )
        case _:
            assert_never(block)


def _html_block(block: Block) -> str:
    match block:
        case Keep(blocks=blocks):
            inner = "".join(_html_block(b) for b in blocks)
            return f'<div class="keep">{inner}</div>'
        case Table():
            return _html_table(block)
        case Fields(items=items):
            return _html_fields(items)
        case Para() | Sub() | Items() | SignOff():
            return _html_text(block)
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
        f"<title>{_e(doc.title)}</title>\n"
        f"<style>{_CSS}{_page_css(doc)}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(doc.title)}</h1><p>{_e(doc.intro)}</p></header>\n"
        f"<main>\n{sections}\n</main>\n"
        f"<footer>{_e(doc.footer)}</footer>\n</body>\n</html>\n"
    )
