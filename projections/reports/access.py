"""The access report (GDPR Art. 15) and the portability export (Art. 20).

Built from the read models and the policy; personal values are opened with
the subject's data keys only here, at the moment a report is made. A value
whose key was destroyed shows as erased, never as an error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from ledger.errors import InvalidCommand, KeyUnavailable, UnknownSubject
from ledger.sealed import Sealed
from projections import queries
from projections.reports.texts import rights_texts, text

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.policy import Policy

__all__ = ["AccessReport", "PortabilityExport", "build_access_report", "build_export"]

Language = Literal["en", "fi"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class HeldValue(_Part):
    category: str
    category_label: str
    value: str | None  # None: erased
    source: str
    source_label: str
    occurred_at: datetime
    rectified: bool
    current: bool


class PurposeEntry(_Part):
    id: str
    label: str
    legal_basis: str
    legal_basis_label: str
    legal_basis_dpv: str


class Switch(_Part):
    name: str
    label: str
    active: bool
    since: datetime
    channel: str | None
    evidence: str | None


class Disclosure(_Part):
    occurred_at: datetime
    kind: str
    categories: list[str]
    category_labels: list[str]
    purpose: str
    purpose_label: str
    legal_basis: str
    reference: str | None
    country: str
    safeguard: str | None
    safeguard_label: str | None


class RecipientEntry(_Part):
    id: str
    name: str
    type_label: str
    role: str
    country: str
    disclosures: list[Disclosure]


class RetentionEntry(_Part):
    category: str
    category_label: str
    retention: str
    retention_label: str
    criteria: str


class SourceEntry(_Part):
    id: str
    label: str
    categories: list[str]


class RequestEntry(_Part):
    request_id: str
    type: str
    channel: str
    received_on: date
    due_on: date
    extended: bool
    extension_reason: str | None
    status: str
    free_of_charge: bool
    number_in_year: int


class Party(_Part):
    name: str
    address: str
    contact: str


class SubjectEntry(_Part):
    id: str
    company: str | None
    business_id: str | None
    status: str
    registered_at: datetime | None
    left_at: datetime | None


class AccessReport(_Part):
    language: Language
    generated_at: datetime
    controller: Party
    subject: SubjectEntry
    request: RequestEntry | None
    personal_data: list[HeldValue]
    purposes: list[PurposeEntry]
    consents: list[Switch]
    objections: list[Switch]
    restricted: bool
    recipients: list[RecipientEntry]
    transfers: list[Disclosure]
    retention: list[RetentionEntry]
    sources: list[SourceEntry]
    automated_decision_making: str
    rights: list[str]
    supervisory_authority: str
    supervisory_authority_url: str


def _open(
    ledger: Ledger, subject: UUID, category: str, sealed_json: str | None
) -> str | None:
    if sealed_json is None:
        return None
    try:
        return ledger.open(subject, category, Sealed.model_validate_json(sealed_json))
    except KeyUnavailable:
        return None


def _latest_switches(
    rows: list[dict[str, Any]], kind: str
) -> dict[str, dict[str, Any]]:
    """The switch in force per name (rows come oldest first), with its start."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["kind"] == kind:
            previous = latest.get(row["name"])
            since = row["occurred_at"]
            if previous is not None and previous["active"] == row["active"]:
                since = previous["since"]
            latest[row["name"]] = {**row, "since": since}
    return latest


def build_access_report(
    ledger: Ledger,
    subject_id: UUID,
    language: Language = "en",
    request_id: str | None = None,
    today: date | None = None,
) -> AccessReport:
    policy = ledger.policy
    database = ledger.database
    found = queries.contact(database, str(subject_id))
    if found is None:
        raise UnknownSubject(str(subject_id))
    row = found["subject"]
    lang = language

    values = found["values"]
    current_versions = {}
    for value in values:  # oldest first: the last per category is current
        current_versions[value["category"]] = value["version"]
    personal_data = [
        HeldValue(
            category=v["category"],
            category_label=policy.category(v["category"]).label.in_(lang),
            value=_open(ledger, subject_id, v["category"], v["sealed"]),
            source=v["source"],
            source_label=policy.source(v["source"]).label.in_(lang),
            occurred_at=datetime.fromisoformat(v["occurred_at"]),
            rectified=bool(v["rectified"]),
            current=current_versions[v["category"]] == v["version"],
        )
        for v in values
    ]

    disclosures = queries.disclosures_of(database, str(subject_id))
    purpose_ids: list[str] = []
    for v in values:
        purpose_ids += [p for p in v["purposes"].split(",") if p]
    purpose_ids += [d["purpose"] for d in disclosures]
    switches = found["switches"]
    consents = _latest_switches(switches, "consent")
    purpose_ids += list(consents)
    purposes = [
        PurposeEntry(
            id=p.id,
            label=p.label.in_(lang),
            legal_basis=p.legal_basis.value,
            legal_basis_label=text(f"basis.{p.legal_basis.value}", lang),
            legal_basis_dpv=p.legal_basis.dpv,
        )
        for p in policy.purposes
        if p.id in set(purpose_ids)
    ]

    def switch(name: str, label: str, s: dict[str, Any]) -> Switch:
        return Switch(
            name=name,
            label=label,
            active=bool(s["active"]),
            since=datetime.fromisoformat(s["since"]),
            channel=s["channel"],
            evidence=s["evidence"],
        )

    objections = _latest_switches(switches, "objection")
    restriction = _latest_switches(switches, "restriction").get("processing")

    recipients, transfers = _recipients(policy, disclosures, lang)

    held_categories = sorted({v["category"] for v in values} | {"company"})
    retention = [
        RetentionEntry(
            category=c,
            category_label=policy.category(c).label.in_(lang),
            retention=policy.retention_of(c).id,
            retention_label=policy.retention_of(c).label.in_(lang),
            criteria=policy.retention_of(c).criteria.in_(lang),
        )
        for c in held_categories
        if c in {cat.id for cat in policy.categories}
    ]
    by_source: dict[str, list[str]] = {row["source"]: ["company"]}
    for v in values:
        by_source.setdefault(v["source"], [])
        if v["category"] not in by_source[v["source"]]:
            by_source[v["source"]].append(v["category"])
    sources = [
        SourceEntry(id=s, label=policy.source(s).label.in_(lang), categories=cats)
        for s, cats in by_source.items()
    ]

    status = _status(switches, row["left_at"])
    controller = policy.controller
    return AccessReport(
        language=lang,
        generated_at=datetime.now(UTC),
        controller=Party(
            name=controller.name,
            address=controller.address,
            contact=controller.contact.in_(lang),
        ),
        subject=SubjectEntry(
            id=str(subject_id),
            company=_open(ledger, subject_id, "company", row["company_name"]),
            business_id=_open(ledger, subject_id, "company", row["business_id"]),
            status=status,
            registered_at=_moment(row["registered_at"]),
            left_at=_moment(row["left_at"]),
        ),
        request=_request(database, subject_id, request_id, today),
        personal_data=personal_data,
        purposes=purposes,
        consents=[
            switch(n, policy.purpose(n).label.in_(lang), s) for n, s in consents.items()
        ],
        objections=[
            switch(n, text(f"objection.{n}", lang), s) for n, s in objections.items()
        ],
        restricted=bool(restriction and restriction["active"]),
        recipients=recipients,
        transfers=transfers,
        retention=retention,
        sources=sources,
        automated_decision_making=text("automated_decision_making", lang),
        rights=rights_texts(policy, lang),
        supervisory_authority=controller.supervisory_authority.in_(lang),
        supervisory_authority_url=controller.supervisory_authority_url,
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _status(switches: list[dict[str, Any]], left_at: str | None) -> str:
    if left_at:
        return "left"
    relationship = _latest_switches(switches, "relationship").get("customer")
    if relationship is None:
        return "prospect"
    return "customer" if relationship["active"] else "former_customer"


def _recipients(
    policy: Policy, disclosures: list[dict[str, Any]], lang: Language
) -> tuple[list[RecipientEntry], list[Disclosure]]:
    grouped: dict[str, list[Disclosure]] = {}
    transfers: list[Disclosure] = []
    for d in disclosures:
        categories = d["categories"].split(",")
        entry = Disclosure(
            occurred_at=datetime.fromisoformat(d["occurred_at"]),
            kind=d["kind"],
            categories=categories,
            category_labels=[policy.category(c).label.in_(lang) for c in categories],
            purpose=d["purpose"],
            purpose_label=policy.purpose(d["purpose"]).label.in_(lang),
            legal_basis=d["legal_basis"],
            reference=d["reference"],
            country=d["country"],
            safeguard=d["safeguard"],
            safeguard_label=text(f"safeguard.{d['safeguard']}", lang)
            if d["safeguard"]
            else None,
        )
        grouped.setdefault(d["recipient"], []).append(entry)
        if d["kind"] == "transfer":
            transfers.append(entry)
    recipients = []
    for recipient_id, entries in grouped.items():
        recipient = policy.recipient(recipient_id)
        kind = policy.recipient_type(recipient.type)
        recipients.append(
            RecipientEntry(
                id=recipient.id,
                name=recipient.name,
                type_label=kind.label.in_(lang),
                role=kind.role.value,
                country=recipient.country,
                disclosures=entries,
            )
        )
    return recipients, transfers


def _request(
    database: Any, subject_id: UUID, request_id: str | None, today: date | None
) -> RequestEntry | None:
    rows = queries.requests(database, str(subject_id), today)
    access = [r for r in rows if r["request_type"] == "access"]
    chosen = (
        next((r for r in rows if r["request_id"] == request_id), None)
        if request_id
        else (access[-1] if access else None)
    )
    if chosen is None:
        if request_id:
            raise InvalidCommand("request", f"no request {request_id} for this subject")
        return None
    return RequestEntry(
        request_id=chosen["request_id"],
        type=chosen["request_type"],
        channel=chosen["channel"],
        received_on=date.fromisoformat(chosen["received_on"]),
        due_on=date.fromisoformat(chosen["due_on"]),
        extended=chosen["extension_reason"] is not None,
        extension_reason=chosen["extension_reason"],
        status=chosen["status"],
        free_of_charge=chosen["number_in_year"] == 1,
        number_in_year=chosen["number_in_year"],
    )


class PortabilityExport(_Part):
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
        value = _open(ledger, subject_id, v["category"], v["sealed"])
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
        generated_at=datetime.now(UTC),
        controller=policy.controller.name,
        subject=str(subject_id),
        data=data,
    )
