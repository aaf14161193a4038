"""The access report in Markdown, from its outline."""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

from projections.reports.document import (
    Block,
    Cell,
    ColumnKind,
    Fields,
    Items,
    Keep,
    Outline,
    Para,
    SignOff,
    Sub,
    Table,
    split_title,
)
from projections.reports.sections import outline

if TYPE_CHECKING:
    from projections.reports.access import AccessReport


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


def _md_item(item: str, titled: bool) -> str:
    title, rest = split_title(item, titled)
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
    return markdown_document(outline(report))


def markdown_document(doc: Outline) -> str:
    # The letter's head (lines ending in two spaces break without a gap).
    lines = [f"**{_md(k)}:** {_md(v)}  " for k, v in doc.head]
    if lines:
        lines.append("")
    lines += [f"# {_md(doc.title)}", "", _md(doc.intro), ""]
    for section in doc.sections:
        lines += [f"## {_md(section.heading)}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    lines += ["---", "", f"*{_md(doc.footer)}*", ""]
    return "\n".join(lines)
