"""The access report as a printable HTML page (A4), from its outline."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, assert_never

from projections.reports.document import (
    Block,
    Cell,
    Column,
    ColumnKind,
    Fields,
    Items,
    Keep,
    Outline,
    Para,
    Section,
    SignOff,
    Sub,
    Table,
    split_title,
)
from projections.reports.sections import outline

if TYPE_CHECKING:
    from projections.reports.access import AccessReport


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
    title, rest = split_title(item, titled)
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


def _html_head(doc: Outline) -> str:
    """The letter's head: who writes, to whom, when, about what."""
    if not doc.head:
        return ""
    return _html_fields(doc.head).replace('class="fields"', 'class="fields letter"')


def render_html(report: AccessReport) -> str:
    """A complete, self-contained document to print, read and sign."""
    return html_document(outline(report))


def html_document(doc: Outline) -> str:
    """Any outlined document (the access report, the Art. 30 record) as
    self-contained printable HTML."""
    sections = "\n".join(_html_section(section) for section in doc.sections)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(doc.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(doc.title)}</title>\n"
        f"<style>{_CSS}{_page_css(doc)}</style>\n</head>\n<body>\n"
        f"<header>{_html_head(doc)}<h1>{_e(doc.title)}</h1>"
        f"<p>{_e(doc.intro)}</p></header>\n"
        f"<main>\n{sections}\n</main>\n"
        f"<footer>{_e(doc.footer)}</footer>\n</body>\n</html>\n"
    )
