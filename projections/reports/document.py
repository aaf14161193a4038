"""The access report as a document: blocks, sections and their wording.

Markdown and HTML are both written from this one outline of the document
(sections of paragraphs, field lists and tables), so the two always carry
the same content in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ledger.clock import LOCAL_TZ
from projections.reports.texts import text

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime

__all__ = [
    "BLANK",
    "LOCAL",
    "Block",
    "Cell",
    "Column",
    "ColumnKind",
    "Fields",
    "Items",
    "Keep",
    "Outline",
    "Para",
    "Section",
    "SignOff",
    "Sub",
    "Table",
    "cols",
    "column",
    "country_name",
    "day_text",
    "label_of",
    "moment_day",
    "moment_text",
    "or_blank",
    "or_none",
    "split_title",
    "yes_no",
]

# Dates are shown as the controller (in Finland) saw them.
LOCAL = LOCAL_TZ
BLANK = "–"


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
    # The letter's head: date, addressee, the request answered, contact.
    head: tuple[tuple[str, str], ...] = ()


# Formatting of values ---------------------------------------------------


def day_text(value: date, lang: str) -> str:
    if lang == "fi":
        return f"{value.day}.{value.month}.{value.year}"
    return value.isoformat()


def moment_day(value: datetime, lang: str) -> str:
    return day_text(value.astimezone(LOCAL).date(), lang)


def moment_text(value: datetime, lang: str) -> str:
    local = value.astimezone(LOCAL)
    day = day_text(local.date(), lang)
    if lang == "fi":
        return f"{day} klo {local.hour}.{local.minute:02d}"
    return f"{day} at {local:%H:%M} ({text('label.time_zone', lang)})"


def label_of(prefix: str, value: str, lang: str) -> str:
    """The fixed label of a coded value, or the code itself if it has none
    (free identifiers such as channels, or codes of an older policy)."""
    try:
        return text(f"{prefix}.{value}", lang)
    except KeyError:
        return value


def country_name(code: str, lang: str) -> str:
    return label_of("country", code, lang)


def or_blank(value: str | None) -> str:
    return value if value else BLANK


def yes_no(value: bool, lang: str) -> str:
    return text("label.yes" if value else "label.no", lang)


def or_none(blocks: Iterable[Block], when_empty: str, lang: str) -> tuple[Block, ...]:
    found = tuple(blocks)
    return found if found else (Para(text(when_empty, lang)),)


_KINDS: dict[str, ColumnKind] = {
    "": "text",
    "date": "date",
    "code": "code",
    "list": "list",
}


def column(spec: str, lang: str) -> Column:
    """A column from "key[:kind[:percent]]", e.g. "label.date:date" or
    "label.purpose::35"."""
    key, kind, width = [*spec.split(":"), "", ""][:3]
    return Column(text(key, lang), _KINDS[kind], int(width) if width else None)


def cols(lang: str, *specs: str) -> tuple[Column, ...]:
    return tuple(column(spec, lang) for spec in specs)


def split_title(item: str, titled: bool) -> tuple[str, str]:
    """An item's title (through its first ": ") and the rest; no title when
    the item is not titled or has none."""
    title, colon, rest = item.partition(": ")
    return (title + ":", rest) if titled and colon else ("", item)
