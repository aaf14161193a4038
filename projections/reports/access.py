"""The access report (GDPR Art. 15) and the portability export (Art. 20).

Built from the read models and the policy; personal values are opened with
the subject's data keys only here, at the moment a report is made. A value
whose key was destroyed shows as erased, never as an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from ledger.errors import InvalidCommand, UnknownSubject
from ledger.policy import RetentionRule
from ledger.retention import LEGAL_HOLD, holdings
from ledger.sealed import Sealed
from projections import queries
from projections.reports.texts import rights_texts, text

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.policy import Policy

__all__ = [
    "AccessReport",
    "ErasureEntry",
    "IntegrityEntry",
    "build_access_report",
    "findings_warning",
]

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
    interest: str | None = None  # the legitimate interest pursued (Art. 13(1)(d))


class SwitchChange(_Part):
    """One step of a consent's or an objection's record (C-487/21)."""

    active: bool
    occurred_at: datetime
    channel: str | None
    evidence: str | None


class Switch(_Part):
    name: str
    label: str
    active: bool
    since: datetime
    channel: str | None
    evidence: str | None
    history: list[SwitchChange] = []


class FindingNote(_Part):
    """A breach of the policy a recorded processing raised, in plain words."""

    rule: str
    detail: str
    text: str


class BreachedUse(_Part):
    """An in-house use of the data (no recipient) that raised a finding: told
    as the finding, never under a legal basis that did not exist."""

    occurred_at: datetime
    purpose: str
    purpose_label: str
    activity: str | None
    findings: list[FindingNote]


class Disclosure(_Part):
    recipient: str
    recipient_name: str
    occurred_at: datetime
    kind: str
    categories: list[str]
    category_labels: list[str]
    purpose: str
    purpose_label: str
    # None where a finding shows the stated basis did not exist.
    legal_basis: str | None
    reference: str | None
    country: str
    safeguard: str | None
    safeguard_label: str | None
    recorded_legal_basis: str | None = None  # what the reporting system stated
    findings: list[FindingNote] = []
    necessity: str | None = None  # why an Art. 49 derogation was necessary


class RecipientEntry(_Part):
    id: str
    name: str
    type_label: str
    role: str
    country: str
    disclosures: list[Disclosure]
    # A processor the policy gives the person's data to all along (Art.
    # 15(1)(c)), named even when no recorded event names it.
    standing: bool = False
    safeguard: str | None = None
    safeguard_label: str | None = None


class PossibleRecipient(_Part):
    """Art. 15(1)(c): to whom the data may yet be disclosed (notice 5b)."""

    type: str
    type_label: str
    names: list[str]


class RetentionEntry(_Part):
    category: str
    category_label: str
    retention: str
    retention_label: str
    criteria: str
    # Art. 17(3): whether, and on which legal ground, erasure does not reach it.
    kept_against_erasure: bool
    legal_ground: str | None
    # Art. 15(1)(d): the last day kept where it is known; else the criteria.
    until: date | None = None


class SourceEntry(_Part):
    id: str
    label: str
    from_subject: bool
    categories: list[str]
    # "subject" (you gave it), "controller" (we made or derived it ourselves,
    # e.g. notes of contacts), "other" (another party gave it); None: by
    # from_subject alone.
    provided_by: str | None = None


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
    refusal_reason: str | None = None  # Art. 12(4): the recorded reason
    # Art. 12(5): the recorded reason a request was found manifestly
    # unfounded or excessive (then, and only then, a fee beyond Art. 15(3)).
    excessive_reason: str | None = None
    answered_on: date | None = None


class Party(_Part):
    name: str
    address: str
    contact: str
    email: str | None = None  # for data-protection matters, if configured
    signer: str | None = None


class SubjectEntry(_Part):
    id: str
    company: str | None
    business_id: str | None
    status: str
    registered_at: datetime | None
    left_at: datetime | None
    # Art. 14: when a person collected from another party was told.
    collected_elsewhere: bool = False
    informed_at: datetime | None = None
    informed_channel: str | None = None


class KeptEntry(_Part):
    retention: str
    retention_label: str
    category_labels: list[str]
    ground: str  # in the report's language, from the policy by retention id
    until: date | None
    # Accounting documents (invoices) kept may carry the person's name.
    documents_carry_name: bool = False


class ErasureEntry(_Part):
    """An erasure (Art. 17) or a retention expiry: what went, what stayed, why."""

    occurred_at: datetime
    kind: str  # "erasure" or "retention"
    request_id: str | None
    destroyed_labels: list[str]  # categories held that are no longer readable
    kept: list[KeptEntry]
    # Objections kept as a keyed hash so the person is not marketed to again.
    objections_kept: list[str] = []


class IntegrityEntry(_Part):
    """The signed checkpoint the report was made at: its records are provable."""

    origin: str
    tree_size: int
    root: str  # hex
    issued_at: datetime
    public_key: str
    subject_events: int


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
    possible_recipients: list[PossibleRecipient] = []
    # Non-EEA processors holding the data all along, with their safeguard.
    standing_transfers: list[RecipientEntry] = []
    notice_updated: date | None = None  # the privacy notice this reflects
    breached_uses: list[BreachedUse] = []
    # Art. 19: who is told of an erasure, rectification or restriction.
    told_of_changes: list[str] = []
    rectified: bool = False
    ever_restricted: bool = False


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
    findings: dict[int, list[dict[str, Any]]]
    today: date


def _findings_by_version(
    ledger: Ledger, subject_id: UUID
) -> dict[int, list[dict[str, Any]]]:
    """The findings of the subject, by the version of the event they judge."""
    found: dict[int, list[dict[str, Any]]] = {}
    for row in queries.findings(ledger.database, str(subject_id)):
        found.setdefault(int(row["about_version"]), []).append(row)
    return found


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
        _findings_by_version(ledger, subject_id),
        today or date.today(),
    )
    recipients, transfers = _recipients(ctx)
    standing = _standing_processors(ctx, {r.id for r in recipients})
    switches = found["switches"]
    restriction = _latest_switches(switches, "restriction").get("processing")
    controller = ctx.policy.controller
    return AccessReport(
        language=language,
        generated_at=datetime.now(UTC),
        controller=Party(
            name=controller.name,
            address=controller.address,
            contact=controller.contact.in_(language),
            email=controller.privacy_email,
            signer=controller.signer.in_(language) if controller.signer else None,
        ),
        subject=_subject(ctx),
        request=_request(ctx, request_id, today),
        personal_data=_personal_data(ctx),
        purposes=_purposes(ctx),
        consents=_switches(ctx, "consent"),
        objections=_switches(ctx, "objection"),
        restricted=bool(restriction and restriction["active"]),
        recipients=recipients + standing,
        transfers=transfers,
        standing_transfers=[r for r in standing if r.safeguard is not None],
        possible_recipients=_possible_recipients(ctx, {r.id for r in recipients}),
        notice_updated=controller.notice_updated,
        retention=_retention(ctx),
        sources=_sources(ctx),
        automated_decision_making=text("automated_decision_making", language),
        rights=rights_texts(ctx.policy, language),
        supervisory_authority=controller.supervisory_authority.in_(language),
        supervisory_authority_url=controller.supervisory_authority_url,
        erasures=_erasures(ctx),
        breached_uses=_breached_uses(ctx),
        told_of_changes=[r.name for r in recipients + standing],
        rectified=any(v["rectified"] for v in found["values"]),
        ever_restricted=any(s["kind"] == "restriction" for s in switches),
    )


def _kept_ground(ctx: _Context, kept: dict[str, Any]) -> str:
    """Why a class was kept, in the report's language (the event stores the
    retention class id; its stored English ground is the fallback)."""
    if kept["ground"] == LEGAL_HOLD:
        return text("ground.legal_hold", ctx.lang)
    try:
        retention = ctx.policy.retention_class(kept["retention"])
    except KeyError:
        return str(kept["ground"])
    return (retention.legal_ground or retention.criteria).in_(ctx.lang)


def _accounting(policy: Policy, retention: str) -> bool:
    rule = policy.retention_class(retention).rule
    return rule in (RetentionRule.ACCOUNTING_VOUCHER, RetentionRule.ACCOUNTING_BOOKS)


def _erasures(ctx: _Context) -> list[ErasureEntry]:
    policy, lang = ctx.policy, ctx.lang
    held = {v["category"] for v in ctx.found["values"]} | {"company"}

    def labels(classes: list[str]) -> list[str]:
        return [
            c.label.in_(lang)
            for c in policy.categories
            if c.retention in classes and c.id in held
        ]

    suppressed = [
        text(f"objection.{row['scope']}", lang)
        for row in queries.suppressions_of(ctx.ledger.database, str(ctx.subject))
    ]
    entries = []
    for row in queries.erasures(ctx.ledger.database, str(ctx.subject)):
        kept = [
            KeptEntry(
                retention=k["retention"],
                retention_label=policy.retention_class(k["retention"]).label.in_(lang),
                category_labels=[
                    policy.category(c).label.in_(lang) for c in k["categories"]
                ],
                ground=_kept_ground(ctx, k),
                until=date.fromisoformat(k["until"]) if k["until"] else None,
                documents_carry_name=_accounting(policy, k["retention"]),
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
                objections_kept=suppressed if row["kind"] == "erasure" else [],
            )
        )
    return entries


def _subject(ctx: _Context) -> SubjectEntry:
    row = ctx.found["subject"]
    source = ctx.policy.source(row["source"])
    informed = next((s for s in ctx.found["switches"] if s["kind"] == "informed"), None)
    return SubjectEntry(
        id=str(ctx.subject),
        company=open_sealed(ctx.ledger, ctx.subject, "company", row["company_name"]),
        business_id=open_sealed(ctx.ledger, ctx.subject, "company", row["business_id"]),
        status=_status(ctx.found["switches"], row["left_at"]),
        registered_at=_moment(row["registered_at"]),
        left_at=_moment(row["left_at"]),
        collected_elsewhere=not (source.from_subject or source.derived),
        informed_at=_moment(informed["occurred_at"]) if informed else None,
        informed_channel=informed["channel"] if informed else None,
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
            interest=p.interest.in_(ctx.lang) if p.interest else None,
        )
        for p in ctx.policy.purposes
        if p.id in used
    ]


def _switches(ctx: _Context, kind: str) -> list[Switch]:
    def label(name: str) -> str:
        if kind == "consent":
            return ctx.policy.purpose(name).label.in_(ctx.lang)
        return text(f"objection.{name}", ctx.lang)

    history: dict[str, list[SwitchChange]] = {}
    for row in ctx.found["switches"]:
        if row["kind"] == kind:
            history.setdefault(row["name"], []).append(
                SwitchChange(
                    active=bool(row["active"]),
                    occurred_at=datetime.fromisoformat(row["occurred_at"]),
                    channel=row["channel"],
                    evidence=row["evidence"],
                )
            )
    return [
        Switch(
            name=name,
            label=label(name),
            active=bool(row["active"]),
            since=datetime.fromisoformat(row["since"]),
            channel=row["channel"],
            evidence=row["evidence"],
            history=history[name],
        )
        for name, row in _latest_switches(ctx.found["switches"], kind).items()
    ]


def _kept_until(ctx: _Context) -> dict[str, date | None]:
    """The last day each live retention class of the person is kept."""
    state = ctx.ledger.load(ctx.subject)
    live = ctx.ledger.keys.live_classes(ctx.subject)
    now = datetime.combine(ctx.today, datetime.max.time(), tzinfo=UTC)
    return {h.retention: h.due for h in holdings(ctx.policy, state, live, now)}


def _retention(ctx: _Context) -> list[RetentionEntry]:
    held = sorted({v["category"] for v in ctx.found["values"]} | {"company"})
    until = _kept_until(ctx)
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
                until=until.get(kept.id),
            )
        )
    return entries


def _provided_by(policy: Policy, source_id: str, category: str) -> str:
    source = policy.source(source_id)
    if source.derived:
        return "controller"
    if source.from_subject:
        # What we wrote down ourselves (notes of contacts) is ours, not yours.
        return (
            "subject"
            if policy.category(category).provided_by_subject
            else ("controller")
        )
    return "other"


def _sources(ctx: _Context) -> list[SourceEntry]:
    # The company details came with the registration, from its source.
    first = ctx.found["subject"]["source"]
    by_source: dict[tuple[str, str], list[str]] = {
        (first, _provided_by(ctx.policy, first, "company")): ["company"]
    }
    for v in ctx.found["values"]:
        key = (v["source"], _provided_by(ctx.policy, v["source"], v["category"]))
        categories = by_source.setdefault(key, [])
        if v["category"] not in categories:
            categories.append(v["category"])
    return [
        SourceEntry(
            id=source_id,
            label=ctx.policy.source(source_id).label.in_(ctx.lang),
            from_subject=ctx.policy.source(source_id).from_subject,
            categories=categories,
            provided_by=provided_by,
        )
        for (source_id, provided_by), categories in by_source.items()
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
    for row in _one_row_per_sending(ctx.disclosures):
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


def _one_row_per_sending(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A processor's use outside the EU/EEA is recorded as a processing and
    the transfer right after it: the person sees one sending, the transfer,
    with the findings of both."""
    transfers = {
        (r["version"], r["recipient"]) for r in rows if r["kind"] == "transfer"
    }
    kept = []
    for row in rows:
        if row["kind"] == "processing" and (
            (row["version"] + 1, row["recipient"]) in transfers
        ):
            continue
        kept.append(row)
    return kept


# Findings that show the stated legal basis did not exist for the row.
_BASIS_DENIED = frozenset(
    {
        "erased",
        "legal_basis_mismatch",
        "consent_required",
        "direct_marketing_objection",
        "sales_contact_objection",
        "legitimate_interest_objection",
        "restricted",
        "left_company",
        "no_safeguard",
    }
)


def _row_findings(ctx: _Context, row: dict[str, Any]) -> list[FindingNote]:
    """The findings on the row's event (and on the processing it merges)."""
    version = int(row["version"])
    rows = ctx.findings.get(version, [])
    if row["kind"] == "transfer":
        rows = ctx.findings.get(version - 1, []) + rows
    notes = []
    for found in rows:
        key = f"finding.{found['rule']}"
        if found["rule"] == "consent_required" and _withdrawn_before(ctx, row):
            key = "finding.consent_withdrawn"
        notes.append(
            FindingNote(
                rule=found["rule"],
                detail=found["detail"],
                text=_finding_text(key, ctx.lang),
            )
        )
    return notes


def _finding_text(key: str, lang: Language) -> str:
    try:
        return text(key, lang)
    except KeyError:
        return text("finding.other", lang)


def _withdrawn_before(ctx: _Context, row: dict[str, Any]) -> bool:
    return any(
        s["kind"] == "consent"
        and s["name"] == row["purpose"]
        and not s["active"]
        and s["occurred_at"] <= row["occurred_at"]
        for s in ctx.found["switches"]
    )


def _disclosure(ctx: _Context, row: dict[str, Any]) -> Disclosure:
    categories = row["categories"].split(",")
    safeguard = row["safeguard"]
    recipient = ctx.policy.recipient(row["recipient"])
    findings = _row_findings(ctx, row)
    denied = any(f.rule in _BASIS_DENIED for f in findings)
    if safeguard is not None:
        safeguard_label: str | None = text(f"safeguard.{safeguard}", ctx.lang)
    elif row["kind"] == "transfer":
        safeguard_label = text("safeguard.none", ctx.lang)
    else:
        safeguard_label = None
    necessity = (
        recipient.necessity.in_(ctx.lang)
        if recipient.necessity and safeguard and safeguard.startswith("art49")
        else None
    )
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
        legal_basis=None if denied else row["legal_basis"],
        recorded_legal_basis=row["legal_basis"],
        reference=row["reference"],
        country=row["country"] or recipient.country,
        safeguard=safeguard,
        safeguard_label=safeguard_label,
        findings=findings,
        necessity=necessity,
    )


def _breached_uses(ctx: _Context) -> list[BreachedUse]:
    rows = queries.history(
        ctx.ledger.database,
        queries.HistoryFilter(subject=str(ctx.subject), event_type="DataProcessed"),
    )
    uses = []
    for row in rows:
        if row["recipient"] or not ctx.findings.get(int(row["version"])):
            continue
        notes = _row_findings(
            ctx, {**row, "kind": "processing", "purpose": row["purposes"]}
        )
        uses.append(
            BreachedUse(
                occurred_at=datetime.fromisoformat(row["occurred_at"]),
                purpose=row["purposes"],
                purpose_label=ctx.policy.purpose(row["purposes"]).label.in_(ctx.lang),
                activity=row["detail"],
                findings=notes,
            )
        )
    return uses


def _used_purposes(ctx: _Context) -> set[str]:
    return {p.id for p in _purposes(ctx)}


def _standing_processors(ctx: _Context, named: set[str]) -> list[RecipientEntry]:
    """Processors the policy gives every contact's data to (CRM storage,
    email, hosting, workspaces), whose purposes and categories cover this
    person's data, and that no recorded event named."""
    purposes = _used_purposes(ctx)
    held = {v["category"] for v in ctx.found["values"]} | {"company"}
    entries = []
    for recipient in ctx.policy.recipients:
        kind = ctx.policy.recipient_type(recipient.type)
        if kind.role.value != "processor" or recipient.id in named:
            continue
        if recipient.purposes and not purposes & set(recipient.purposes):
            continue
        if recipient.categories and not held & set(recipient.categories):
            continue
        safeguard = recipient.safeguard.value if recipient.safeguard else None
        entries.append(
            RecipientEntry(
                id=recipient.id,
                name=recipient.name,
                type_label=kind.label.in_(ctx.lang),
                role=kind.role.value,
                country=recipient.country,
                disclosures=[],
                standing=True,
                safeguard=safeguard,
                safeguard_label=text(f"safeguard.{safeguard}", ctx.lang)
                if safeguard
                else None,
            )
        )
    return entries


def _possible_recipients(ctx: _Context, named: set[str]) -> list[PossibleRecipient]:
    """Controllers the data may be disclosed to (notice 5b), by type, with
    the names the policy knows; those already named above are left out."""
    found = []
    for kind in ctx.policy.recipient_types:
        if kind.role.value != "controller":
            continue
        names = [
            r.name
            for r in ctx.policy.recipients
            if r.type == kind.id and r.id not in named
        ]
        if names or not any(r.type == kind.id for r in ctx.policy.recipients):
            found.append(
                PossibleRecipient(
                    type=kind.id, type_label=kind.label.in_(ctx.lang), names=names
                )
            )
    return found


def _free_requests_per_year(policy: Policy, request_type: str) -> int | None:
    """How many requests of a type are free each calendar year (None: all).

    Art. 12(5): every action is free; only a further copy of an access answer
    may carry a fee (Art. 15(3)), and the first copy is always free. The
    notice's "free once a year" for portability is no licence to charge for
    it: a fee there needs a reasoned decision that the request is manifestly
    unfounded or excessive, which the controller must show."""
    if request_type != "access":
        return None
    return max(policy.rights.free_access_requests_per_year, 1)


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
    extension, refusal = _reasons(ctx, chosen)
    excessive = _excessive(ctx, chosen["request_id"])
    return RequestEntry(
        request_id=chosen["request_id"],
        type=chosen["request_type"],
        channel=chosen["channel"],
        received_on=date.fromisoformat(chosen["received_on"]),
        due_on=date.fromisoformat(chosen["due_on"]),
        extended=chosen["extension_reason"] is not None,
        extension_reason=extension,
        extension_notified_on=_day(chosen["extension_notified_on"]),
        status=chosen["status"],
        free_of_charge=excessive is None
        and (free is None or chosen["number_in_year"] <= free),
        number_in_year=chosen["number_in_year"],
        refusal_reason=refusal,
        excessive_reason=excessive,
        answered_on=_day(chosen["answered_on"]),
    )


def _reasons(ctx: _Context, row: dict[str, Any]) -> tuple[str | None, str | None]:
    """The extension and refusal reasons in the answer's language: a
    Finnish answer gives the Finnish text where one was recorded."""
    extension, refusal = row["extension_reason"], row["refusal_reason"]
    if ctx.lang == "fi":
        request = ctx.ledger.load(ctx.subject).requests.get(row["request_id"])
        if request is not None:
            extension = request.extension_reason_fi or extension
            refusal = request.refusal_reason_fi or refusal
    return extension, refusal


def _excessive(ctx: _Context, request_id: str) -> str | None:
    request = ctx.ledger.load(ctx.subject).requests.get(request_id)
    if request is None or request.excessive is None:
        return None
    reason, reason_fi = request.excessive
    return (reason_fi or reason) if ctx.lang == "fi" else reason


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def findings_warning(ledger: Ledger, subject_id: UUID) -> str | None:
    """A line for the operator, before an answer is sent, when the subject's
    records hold breaches of the policy (the answer shows them to the person)."""
    rules = sorted(
        {row["rule"] for row in queries.findings(ledger.database, str(subject_id))}
    )
    if not rules:
        return None
    return (
        f"warning: subject {subject_id} has findings ({', '.join(rules)}); the "
        "answer shows them to the person: review them, and any Art. 33 breach "
        f"assessment, before sending it (kirjuri findings --subject {subject_id})"
    )
