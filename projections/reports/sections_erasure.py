"""What an erasure or a retention expiry destroyed, what the law kept, and
who is told of a change (Art. 17, 19)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.reports.document import (
    Block,
    Para,
    Sub,
    Table,
    cols,
    day_text,
    moment_day,
)
from projections.reports.texts import text

if TYPE_CHECKING:
    from projections.reports.model import AccessReport, ErasureEntry, Language

__all__ = ["erasure_blocks", "told"]


def erasure_blocks(report: AccessReport) -> tuple[Block, ...]:
    """What an erasure or a retention expiry destroyed, and what the law kept."""
    lang = report.language
    blocks: list[Block] = []
    for erasure in report.erasures:
        day = moment_day(erasure.occurred_at, lang)
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
            columns = cols(
                lang,
                "label.categories:list:34",
                "label.ground::40",
                "label.kept_until:date",
            )
            rows = tuple(
                (
                    tuple(k.category_labels),
                    k.ground,
                    day_text(k.until, lang)
                    if k.until
                    else text("label.kept_while", lang),
                )
                for k in erasure.kept
            )
            blocks += [Para(text("label.kept_intro", lang)), Table(columns, rows)]
        blocks += _after_erasure(report, erasure)
    return tuple(blocks)


def _after_erasure(report: AccessReport, erasure: ErasureEntry) -> list[Block]:
    """What an erasure leaves, said plainly: documents that may carry the
    name, the objection kept so that marketing stops for good, the log's
    metadata, and who is told (Art. 19)."""
    lang = report.language
    said: list[Block] = []
    for kept in erasure.kept:
        if kept.documents_carry_name and kept.until is not None:
            said.append(
                Para(
                    text("label.documents_carry_name", lang).format(
                        day=day_text(kept.until, lang)
                    )
                )
            )
    if erasure.objections_kept:
        said.append(
            Para(
                text("label.objection_kept", lang).format(
                    objections="; ".join(erasure.objections_kept),
                    contact=report.controller.contact.rstrip(". "),
                )
            )
        )
    if erasure.kind == "erasure":
        said.append(Para(text("label.metadata_kept", lang)))
        said += told(report.told_of_changes, "label.art19_erasure", lang)
    return said


def told(recipients: list[str], key: str, lang: Language) -> list[Block]:
    """Art. 19: the recipients told of a change, named."""
    if not recipients:
        return []
    names = ", ".join(recipients).rstrip(".")
    return [Para(text(key, lang).format(recipients=names))]
