"""The portability export (GDPR Art. 20): what the person provided.

Only data the person gave us themself, processed on consent or contract, by
automated means; erased values are left out.
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
        if v["rectified"] == 0 and not bases & {"consent", "contract"}:
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
            }
        )
    return PortabilityExport(
        generated_at=clock_now(),
        controller=policy.controller.name,
        subject=str(subject_id),
        data=data,
    )
