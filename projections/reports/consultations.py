"""Who looked at the person's data, when and why (CJEU C-579/21: the person
may learn the dates and purposes of consultations; the names of individual
employees are not required, so the report names the role only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger import events as ev
from projections.reports.document import Items, Para, Section, moment_text
from projections.reports.model import Consultation

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger
    from projections.reports.model import AccessReport

__all__ = ["consultations_of", "consultations_section"]

_TEXTS = {
    "en": {
        "heading": "Who has consulted your data",
        "intro": "Each time your data was shown to someone through our"
        " register, we recorded when, in which role and for what purpose.",
        "none": "Nobody has consulted your data through the register.",
        "no_purpose": "no purpose given",
        "role.dpo": "our data protection officer",
        "role.auditor": "an auditor",
        "role.regulator": "a supervisory authority",
        "role.ingest": "a system of ours",
    },
    "fi": {
        "heading": "Kuka tietojasi on katsonut",
        "intro": "Aina kun tietojasi näytettiin jollekulle rekisterimme"
        " kautta, kirjasimme milloin, missä roolissa ja mihin tarkoitukseen.",
        "none": "Kukaan ei ole katsonut tietojasi rekisterin kautta.",
        "no_purpose": "tarkoitusta ei kerrottu",
        "role.dpo": "tietosuojavastaavamme",
        "role.auditor": "tarkastaja",
        "role.regulator": "valvontaviranomainen",
        "role.ingest": "järjestelmämme",
    },
}


def consultations_of(ledger: Ledger, subject_id: UUID) -> list[Consultation]:
    return [
        Consultation(at=e.occurred_at, role=e.role, view=e.view, purpose=e.purpose)
        for e in ledger.stream_of(subject_id, ev.SubjectConsulted)
    ]


def consultations_section(report: AccessReport) -> Section:
    said = _TEXTS[report.language]
    if not report.consultations:
        blocks: tuple[Para | Items, ...] = (Para(said["none"]),)
    else:
        items = tuple(
            f"{moment_text(c.at, report.language)}: "
            f"{said.get('role.' + c.role, c.role)}, "
            f"{c.purpose or said['no_purpose']}"
            for c in report.consultations
        )
        blocks = (Para(said["intro"]), Items(items))
    return Section("l-consultations", said["heading"], blocks)
