"""Sections (c) and Art. 15(2) of the answer: recipients and transfers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.reports.document import (
    BLANK,
    Block,
    Cell,
    Fields,
    Items,
    Keep,
    Para,
    Section,
    Sub,
    Table,
    cols,
    country_name,
    label_of,
    moment_day,
    or_blank,
    or_none,
)
from projections.reports.texts import text

if TYPE_CHECKING:
    from projections.reports.model import AccessReport, Disclosure, RecipientEntry

__all__ = ["recipients_section", "transfers_section"]


def _basis_cell(disclosure: Disclosure, lang: str) -> Cell:
    """The legal basis, or, where a finding shows it did not exist, the
    finding in plain words: never a basis that was not there."""
    notes = tuple(dict.fromkeys(f.text for f in disclosure.findings))
    if disclosure.legal_basis is None:
        return notes or BLANK
    basis = label_of("basis", disclosure.legal_basis, lang)
    return (basis, *notes) if notes else basis


def _disclosure_row(disclosure: Disclosure, lang: str) -> tuple[Cell, ...]:
    return (
        moment_day(disclosure.occurred_at, lang),
        tuple(disclosure.category_labels),
        disclosure.purpose_label,
        _basis_cell(disclosure, lang),
        or_blank(disclosure.reference),
    )


def _recipient(recipient: RecipientEntry, lang: str) -> Keep:
    items = [
        (text("label.recipient_type", lang), recipient.type_label),
        (text("label.role", lang), label_of("role", recipient.role, lang)),
        (text("label.country", lang), country_name(recipient.country, lang)),
    ]
    if recipient.safeguard_label:
        items.append((text("label.safeguard", lang), recipient.safeguard_label))
    fields = Fields(tuple(items))
    if recipient.standing:
        standing = Para(text("label.standing_processor", lang))
        return Keep((Sub(recipient.name), fields, standing))
    columns = cols(
        lang,
        "label.date:date",
        "label.categories:list:30",
        "label.purpose::34",
        "label.legal_basis::24",
        "label.reference:code",
    )
    rows = tuple(_disclosure_row(d, lang) for d in recipient.disclosures)
    return Keep((Sub(recipient.name), fields, Table(columns, rows)))


def recipients_section(report: AccessReport) -> Section:
    lang = report.language
    blocks: list[Block] = [_recipient(r, lang) for r in report.recipients]
    if blocks:
        blocks.insert(0, Para(text("label.recipients_intro", lang)))
    found = [*or_none(blocks, "none.recipients", lang)]
    if report.possible_recipients:
        found += [
            Sub(text("heading.possible_recipients", lang)),
            Para(text("label.possible_recipients_intro", lang)),
            Items(
                tuple(
                    f"{p.type_label}: {', '.join(p.names)}" if p.names else p.type_label
                    for p in report.possible_recipients
                )
            ),
        ]
    return Section("c-recipients", text("heading.recipients", lang), tuple(found))


def _transfer_row(transfer: Disclosure, lang: str) -> tuple[Cell, ...]:
    ground = transfer.safeguard_label or or_blank(transfer.safeguard)
    notes = [f.text for f in transfer.findings if f.rule != "no_safeguard"]
    if transfer.necessity:
        notes.insert(0, transfer.necessity)
    return (
        moment_day(transfer.occurred_at, lang),
        transfer.recipient_name,
        country_name(transfer.country, lang),
        tuple(transfer.category_labels),
        (ground, *dict.fromkeys(notes)) if notes else ground,
    )


def _standing_transfers(report: AccessReport) -> tuple[Block, ...]:
    lang = report.language
    if not report.standing_transfers:
        return ()
    columns = cols(
        lang, "label.recipient::30", "label.country::20", "label.safeguard::50"
    )
    rows = tuple(
        (r.name, country_name(r.country, lang), or_blank(r.safeguard_label))
        for r in report.standing_transfers
    )
    return (Para(text("label.standing_transfers_intro", lang)), Table(columns, rows))


def transfers_section(report: AccessReport) -> Section:
    lang = report.language
    columns = cols(
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
        blocks = (Para(text("label.transfers_intro", lang)), Table(columns, rows))
    blocks += _standing_transfers(report)
    if blocks:
        blocks += (Para(text("label.transfers_copy", lang)),)
    found = or_none(blocks, "none.transfers", lang)
    return Section("art15-2-transfers", text("heading.transfers", lang), found)
