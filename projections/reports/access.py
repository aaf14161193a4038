"""The access report (GDPR Art. 15) and the portability export (Art. 20).

Built from the read models and the policy; personal values are opened with
the subject's data keys only here, at the moment a report is made. A value
whose key was destroyed shows as erased, never as an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from ledger.clock import local
from ledger.clock import now as clock_now
from ledger.errors import InvalidCommand, UnknownSubject
from ledger.sealed import Sealed
from projections import queries
from projections.reports.texts import rights_texts, text

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.policy import Policy

__all__ = ["AccessReport", "ErasureEntry", "IntegrityEntry", "build_access_report"]

Language = Literal["en", "fi"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _in_local_time(cls, value: Any) -> Any:
        # Every moment a report shows, JSON included, is in the ledger's zone
        # with its offset, as the person and the controller saw it.
        return local(value) if isinstance(value, datetime) else value


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
    recipient: str
    recipient_name: str
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
    # Art. 17(3): whether, and on which legal ground, erasure does not reach it.
    kept_against_erasure: bool
    legal_ground: str | None


class SourceEntry(_Part):
    id: str
    label: str
    from_subject: bool
    categories: list[str]


class RequestEntry(_Part):
    request_id: str
    type: str
    channel: str
    received_on: date
    due_on: date
    extended: bool
    extension_reason: str | None
    extension_notified_on: date | None
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


class KeptEntry(_Part):
    retention: str
    retention_label: str
    category_labels: list[str]
    ground: str
    until: date | None


class ErasureEntry(_Part):
    """An erasure (Art. 17) or a retention expiry: what went, what stayed, why."""

    occurred_at: datetime
    kind: str  # "erasure" or "retention"
    request_id: str | None
    destroyed_labels: list[str]  # categories no longer readable
    kept: list[KeptEntry]


class IntegrityEntry(_Part):
    """The signed checkpoint the report was made at: its records are provable."""

    origin: str
    tree_size: int
    root: str  # hex
    issued_at: datetime
    public_key: str
    subject_events: int
    # When `verify --read-models` last found the read models this report
    # reads equal to a rebuild from the log, and at which tree size.
    models_checked_size: int | None = None
    models_checked_at: datetime | None = None


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
    erasures: list[ErasureEntry] = []
    integrity: IntegrityEntry | None = None


def open_sealed(
    ledger: Ledger, subject: UUID, category: str, sealed_json: str | None
) -> str | None:
    """A stored value in clear, or None when it is erased (key destroyed)."""
    sealed = None if sealed_json is None else Sealed.model_validate_json(sealed_json)
    return ledger.open_or_none(subject, category, sealed)


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


@dataclass(frozen=True)
class _Context:
    """What every part of one report is built from."""

    ledger: Ledger
    policy: Policy
    subject: UUID
    lang: Language
    found: dict[str, Any]
    disclosures: list[dict[str, Any]]


def build_access_report(
    ledger: Ledger,
    subject_id: UUID,
    language: Language = "en",
    request_id: str | None = None,
    today: date | None = None,
) -> AccessReport:
    found = queries.contact(ledger.database, str(subject_id))
    if found is None:
        raise UnknownSubject(str(subject_id))
    ctx = _Context(
        ledger,
        ledger.policy,
        subject_id,
        language,
        found,
        queries.disclosures_of(ledger.database, str(subject_id)),
    )
    recipients, transfers = _recipients(ctx)
    switches = found["switches"]
    restriction = _latest_switches(switches, "restriction").get("processing")
    controller = ctx.policy.controller
    return AccessReport(
        language=language,
        generated_at=clock_now(),
        controller=Party(
            name=controller.name,
            address=controller.address,
            contact=controller.contact.in_(language),
        ),
        subject=_subject(ctx),
        request=_request(ctx, request_id, today),
        personal_data=_personal_data(ctx),
        purposes=_purposes(ctx),
        consents=_switches(ctx, "consent"),
        objections=_switches(ctx, "objection"),
        restricted=bool(restriction and restriction["active"]),
        recipients=recipients,
        transfers=transfers,
        retention=_retention(ctx),
        sources=_sources(ctx),
        automated_decision_making=text("automated_decision_making", language),
        rights=rights_texts(ctx.policy, language),
        supervisory_authority=controller.supervisory_authority.in_(language),
        supervisory_authority_url=controller.supervisory_authority_url,
        erasures=_erasures(ctx),
    )


def _erasures(ctx: _Context) -> list[ErasureEntry]:
    policy, lang = ctx.policy, ctx.lang

    def labels(classes: list[str]) -> list[str]:
        return [c.label.in_(lang) for c in policy.categories if c.retention in classes]

    entries = []
    for row in queries.erasures(ctx.ledger.database, str(ctx.subject)):
        kept = [
            KeptEntry(
                retention=k["retention"],
                retention_label=policy.retention_class(k["retention"]).label.in_(lang),
                category_labels=[
                    policy.category(c).label.in_(lang) for c in k["categories"]
                ],
                ground=k["ground"],
                until=date.fromisoformat(k["until"]) if k["until"] else None,
            )
            for k in json.loads(row["kept"])
        ]
        entries.append(
            ErasureEntry(
                occurred_at=datetime.fromisoformat(row["occurred_at"]),
                kind=row["kind"],
                request_id=row["request_id"],
                destroyed_labels=labels([c for c in row["destroyed"].split(",") if c]),
                kept=kept,
            )
        )
    return entries


def _subject(ctx: _Context) -> SubjectEntry:
    row = ctx.found["subject"]
    return SubjectEntry(
        id=str(ctx.subject),
        company=open_sealed(ctx.ledger, ctx.subject, "company", row["company_name"]),
        business_id=open_sealed(ctx.ledger, ctx.subject, "company", row["business_id"]),
        status=_status(ctx.found["switches"], row["left_at"]),
        registered_at=_moment(row["registered_at"]),
        left_at=_moment(row["left_at"]),
    )


def _personal_data(ctx: _Context) -> list[HeldValue]:
    values = ctx.found["values"]
    # Rows come oldest first: the last of each category is the current value.
    current = {v["category"]: v["version"] for v in values}
    return [
        HeldValue(
            category=v["category"],
            category_label=ctx.policy.category(v["category"]).label.in_(ctx.lang),
            value=open_sealed(ctx.ledger, ctx.subject, v["category"], v["sealed"]),
            source=v["source"],
            source_label=ctx.policy.source(v["source"]).label.in_(ctx.lang),
            occurred_at=datetime.fromisoformat(v["occurred_at"]),
            rectified=bool(v["rectified"]),
            current=current[v["category"]] == v["version"],
        )
        for v in values
    ]


def _purposes(ctx: _Context) -> list[PurposeEntry]:
    """Every purpose the person's data was collected, used or disclosed for."""
    used = {p for v in ctx.found["values"] for p in v["purposes"].split(",") if p}
    used |= {d["purpose"] for d in ctx.disclosures}
    used |= {
        row["purposes"]
        for row in queries.history(
            ctx.ledger.database,
            queries.HistoryFilter(subject=str(ctx.subject), event_type="DataProcessed"),
        )
        if row["purposes"]
    }
    used |= set(_latest_switches(ctx.found["switches"], "consent"))
    return [
        PurposeEntry(
            id=p.id,
            label=p.label.in_(ctx.lang),
            legal_basis=p.legal_basis.value,
            legal_basis_label=text(f"basis.{p.legal_basis.value}", ctx.lang),
            legal_basis_dpv=p.legal_basis.dpv,
        )
        for p in ctx.policy.purposes
        if p.id in used
    ]


def _switches(ctx: _Context, kind: str) -> list[Switch]:
    def label(name: str) -> str:
        if kind == "consent":
            return ctx.policy.purpose(name).label.in_(ctx.lang)
        return text(f"objection.{name}", ctx.lang)

    return [
        Switch(
            name=name,
            label=label(name),
            active=bool(row["active"]),
            since=datetime.fromisoformat(row["since"]),
            channel=row["channel"],
            evidence=row["evidence"],
        )
        for name, row in _latest_switches(ctx.found["switches"], kind).items()
    ]


def _retention(ctx: _Context) -> list[RetentionEntry]:
    held = sorted({v["category"] for v in ctx.found["values"]} | {"company"})
    entries = []
    for category in held:
        kept = ctx.policy.retention_of(category)
        entries.append(
            RetentionEntry(
                category=category,
                category_label=ctx.policy.category(category).label.in_(ctx.lang),
                retention=kept.id,
                retention_label=kept.label.in_(ctx.lang),
                criteria=kept.criteria.in_(ctx.lang),
                kept_against_erasure=kept.keeps_against_erasure,
                legal_ground=kept.legal_ground.in_(ctx.lang)
                if kept.legal_ground
                else None,
            )
        )
    return entries


def _sources(ctx: _Context) -> list[SourceEntry]:
    # The company details came with the registration, from its source.
    by_source: dict[str, list[str]] = {ctx.found["subject"]["source"]: ["company"]}
    for v in ctx.found["values"]:
        categories = by_source.setdefault(v["source"], [])
        if v["category"] not in categories:
            categories.append(v["category"])
    return [
        SourceEntry(
            id=source_id,
            label=ctx.policy.source(source_id).label.in_(ctx.lang),
            from_subject=ctx.policy.source(source_id).from_subject,
            categories=categories,
        )
        for source_id, categories in by_source.items()
    ]


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _status(switches: list[dict[str, Any]], left_at: str | None) -> str:
    if left_at:
        return "left"
    relationship = _latest_switches(switches, "relationship").get("customer")
    if relationship is None:
        return "prospect"
    return "customer" if relationship["active"] else "former_customer"


def _recipients(ctx: _Context) -> tuple[list[RecipientEntry], list[Disclosure]]:
    grouped: dict[str, list[Disclosure]] = {}
    for row in ctx.disclosures:
        grouped.setdefault(row["recipient"], []).append(_disclosure(ctx, row))
    recipients = []
    for recipient_id, entries in grouped.items():
        recipient = ctx.policy.recipient(recipient_id)
        kind = ctx.policy.recipient_type(recipient.type)
        recipients.append(
            RecipientEntry(
                id=recipient.id,
                name=recipient.name,
                type_label=kind.label.in_(ctx.lang),
                role=kind.role.value,
                country=recipient.country,
                disclosures=entries,
            )
        )
    transfers = [
        d for entries in grouped.values() for d in entries if d.kind == "transfer"
    ]
    transfers.sort(key=lambda d: d.occurred_at)
    return recipients, transfers


def _disclosure(ctx: _Context, row: dict[str, Any]) -> Disclosure:
    categories = row["categories"].split(",")
    safeguard = row["safeguard"]
    return Disclosure(
        recipient=row["recipient"],
        recipient_name=ctx.policy.recipient(row["recipient"]).name,
        occurred_at=datetime.fromisoformat(row["occurred_at"]),
        kind=row["kind"],
        categories=categories,
        category_labels=[
            ctx.policy.category(c).label.in_(ctx.lang) for c in categories
        ],
        purpose=row["purpose"],
        purpose_label=ctx.policy.purpose(row["purpose"]).label.in_(ctx.lang),
        legal_basis=row["legal_basis"],
        reference=row["reference"],
        country=row["country"] or ctx.policy.recipient(row["recipient"]).country,
        safeguard=safeguard,
        safeguard_label=text(f"safeguard.{safeguard}", ctx.lang) if safeguard else None,
    )


def _free_requests_per_year(policy: Policy, request_type: str) -> int | None:
    """How many requests of a type are free each calendar year (None: all)."""
    return {
        "access": policy.rights.free_access_requests_per_year,
        "portability": policy.rights.free_portability_requests_per_year,
    }.get(request_type)


def _request(
    ctx: _Context, request_id: str | None, today: date | None
) -> RequestEntry | None:
    rows = queries.requests(ctx.ledger.database, str(ctx.subject), today)
    if request_id is not None:
        chosen = next((r for r in rows if r["request_id"] == request_id), None)
        if chosen is None:
            raise InvalidCommand("request", f"no request {request_id} for this subject")
    else:
        access = [r for r in rows if r["request_type"] == "access"]
        chosen = access[-1] if access else None
    if chosen is None:
        return None
    free = _free_requests_per_year(ctx.policy, chosen["request_type"])
    return RequestEntry(
        request_id=chosen["request_id"],
        type=chosen["request_type"],
        channel=chosen["channel"],
        received_on=date.fromisoformat(chosen["received_on"]),
        due_on=date.fromisoformat(chosen["due_on"]),
        extended=chosen["extension_reason"] is not None,
        extension_reason=chosen["extension_reason"],
        extension_notified_on=_day(chosen["extension_notified_on"]),
        status=chosen["status"],
        # Art. 15(3): the first copy is always free, whatever the policy says.
        free_of_charge=free is None or chosen["number_in_year"] <= max(free, 1),
        number_in_year=chosen["number_in_year"],
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
