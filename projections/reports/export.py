"""The portability export (GDPR Art. 20): what the person provided.

Only data the person gave us themself, by automated means; erased values are
left out. Art. 20 reaches processing on consent or contract only; a contact
person's data rests on legitimate interest (see the policy), so the export of
those values is the notice's voluntary promise, and the export says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from ledger.clock import now as clock_now
from ledger.errors import UnknownSubject
from projections import queries
from projections.reports.access import open_sealed

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger

__all__ = ["PortabilityExport", "build_export"]


class PortabilityExport(BaseModel):
    model_config = ConfigDict(frozen=True)

    """Art. 20: the data the person provided, on consent or contract."""

    format: str = "kirjuri-portability/1"
    generated_at: datetime
    controller: str
    subject: str
    data: list[dict[str, Any]]
    # Which values Art. 20 itself covers, and which are given voluntarily.
    legal_note: str = ""


def build_export(ledger: Ledger, subject_id: UUID) -> PortabilityExport:
    policy = ledger.policy
    found = queries.contact(ledger.database, str(subject_id))
    if found is None:
        raise UnknownSubject(str(subject_id))
    data = []
    for v in found["values"]:
        category = policy.category(v["category"])
        source = policy.source(v["source"])
        bases = {
            policy.purpose(p).legal_basis.value for p in v["purposes"].split(",") if p
        }
        if not (category.provided_by_subject and source.from_subject):
            continue
        # Data held only to comply with the law (invoicing) is not offered.
        if v["rectified"] == 0 and bases and bases <= {"legal_obligation"}:
            continue
        value = open_sealed(ledger, subject_id, v["category"], v["sealed"])
        if value is None:
            continue
        data.append(
            {
                "category": category.id,
                "label": category.label.en,
                "value": value,
                "provided_at": v["occurred_at"],
                # Art. 20(1): only consent or contract make it a right.
                "under_article_20": bool(bases & {"consent", "contract"}),
            }
        )
    return PortabilityExport(
        generated_at=clock_now(),
        controller=policy.controller.name,
        subject=str(subject_id),
        data=data,
        legal_note=_NOTE,
    )


_NOTE = (
    "Art. 20 GDPR gives a right to this export only for data processed on"
    " consent or on a contract with you (under_article_20: true). The data of"
    " a company's contact person rests on our legitimate interest (Art."
    " 6(1)(f)); we export the data you provided anyway, as our privacy notice"
    " (section 7) promises, free of charge (Art. 12(5))."
)
