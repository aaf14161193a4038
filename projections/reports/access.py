"""The access report (GDPR Art. 15) and the portability export (Art. 20).

Built from the read models and the policy; personal values are opened with
the subject's data keys only here, at the moment a report is made. A value
whose key was destroyed shows as erased, never as an error.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ledger.clock import now as clock_now
from ledger.clock import today as clock_today
from ledger.errors import UnknownSubject
from ledger.policy import RetentionRule
from ledger.retention import LEGAL_HOLD, holdings
from projections import queries
from projections.reports.consultations import consultations_of
from projections.reports.context import (
    Context,
    findings_by_version,
    latest_switches,
    moment,
    open_sealed,
)
from projections.reports.identifiers import with_identifiers
from projections.reports.model import (
    AccessReport,
    BreachedUse,
    Disclosure,
    ErasureEntry,
    FindingNote,
    HeldValue,
    IntegrityEntry,
    KeptEntry,
    Language,
    Party,
    PossibleRecipient,
    PurposeEntry,
    RecipientEntry,
    RequestEntry,
    RetentionEntry,
    SourceEntry,
    SubjectEntry,
    Switch,
    SwitchChange,
)
from projections.reports.recipients import (
    art19_recipients,
    breached_uses,
    possible_recipients,
    recipients,
    standing_processors,
)
from projections.reports.request import request_entry
from projections.reports.texts import rights_texts, text

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.policy import Policy

# The model is re-exported: callers build and read reports from here.
__all__ = [
    "AccessReport",
    "BreachedUse",
    "Disclosure",
    "ErasureEntry",
    "FindingNote",
    "HeldValue",
    "IntegrityEntry",
    "KeptEntry",
    "Party",
    "PossibleRecipient",
    "PurposeEntry",
    "RecipientEntry",
    "RequestEntry",
    "RetentionEntry",
    "SourceEntry",
    "SubjectEntry",
    "Switch",
    "SwitchChange",
    "build_access_report",
    "findings_warning",
    "open_sealed",
]


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
    ctx = Context(
        ledger,
        ledger.policy,
        subject_id,
        language,
        found,
        queries.disclosures_of(ledger.database, str(subject_id)),
        findings_by_version(ledger, subject_id),
        today or clock_today(),
    )
    named, transfers = recipients(ctx)
    standing = standing_processors(
        ctx, {r.id for r in named}, {p.id for p in _purposes(ctx)}
    )
    switches = found["switches"]
    restriction = latest_switches(switches, "restriction").get("processing")
    controller = ctx.policy.controller
    report = AccessReport(
        language=language,
        generated_at=clock_now(),
        controller=Party(
            name=controller.name,
            address=controller.address,
            contact=controller.contact.in_(language),
            email=controller.privacy_email,
            signer=controller.signer.in_(language) if controller.signer else None,
        ),
        subject=_subject(ctx),
        request=request_entry(ctx, request_id, today),
        personal_data=_personal_data(ctx),
        purposes=_purposes(ctx),
        consents=_switches(ctx, "consent"),
        objections=_switches(ctx, "objection"),
        restricted=bool(restriction and restriction["active"]),
        recipients=named + standing,
        transfers=transfers,
        standing_transfers=[r for r in standing if r.safeguard is not None],
        possible_recipients=possible_recipients(ctx, {r.id for r in named}),
        notice_updated=controller.notice_updated,
        retention=_retention(ctx),
        sources=_sources(ctx),
        automated_decision_making=text("automated_decision_making", language),
        rights=rights_texts(ctx.policy, language),
        supervisory_authority=controller.supervisory_authority.in_(language),
        supervisory_authority_url=controller.supervisory_authority_url,
        erasures=_erasures(ctx),
        breached_uses=breached_uses(ctx),
        told_of_changes=[r.name for r in named + standing],
        told_of_rectification=art19_recipients(ctx, standing, "rectification"),
        told_of_restriction=art19_recipients(ctx, standing, "restriction"),
        rectified=any(v["rectified"] for v in found["values"]),
        ever_restricted=any(s["kind"] == "restriction" for s in switches),
        consultations=consultations_of(ledger, subject_id),
    )
    return with_identifiers(report, ctx.policy)


def _kept_ground(ctx: Context, kept: dict[str, Any]) -> str:
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


def _erasures(ctx: Context) -> list[ErasureEntry]:
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


def _subject(ctx: Context) -> SubjectEntry:
    row = ctx.found["subject"]
    source = ctx.policy.source(row["source"])
    informed = next((s for s in ctx.found["switches"] if s["kind"] == "informed"), None)
    return SubjectEntry(
        id=str(ctx.subject),
        company=open_sealed(ctx.ledger, ctx.subject, "company", row["company_name"]),
        business_id=open_sealed(ctx.ledger, ctx.subject, "company", row["business_id"]),
        status=_status(ctx.found["switches"], row["left_at"]),
        registered_at=moment(row["registered_at"]),
        left_at=moment(row["left_at"]),
        collected_elsewhere=not (source.from_subject or source.derived),
        informed_at=moment(informed["occurred_at"]) if informed else None,
        informed_channel=informed["channel"] if informed else None,
    )


def _personal_data(ctx: Context) -> list[HeldValue]:
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


def _purposes(ctx: Context) -> list[PurposeEntry]:
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
    used |= set(latest_switches(ctx.found["switches"], "consent"))
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


def _switches(ctx: Context, kind: str) -> list[Switch]:
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
        for name, row in latest_switches(ctx.found["switches"], kind).items()
    ]


def _kept_until(ctx: Context) -> dict[str, date | None]:
    """The last day each live retention class of the person is kept."""
    state = ctx.state
    live = ctx.ledger.keys.live_classes(ctx.subject)
    now = datetime.combine(ctx.today, datetime.max.time(), tzinfo=UTC)
    return {h.retention: h.due for h in holdings(ctx.policy, state, live, now)}


def _retention(ctx: Context) -> list[RetentionEntry]:
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


def _sources(ctx: Context) -> list[SourceEntry]:
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


def _status(switches: list[dict[str, Any]], left_at: str | None) -> str:
    if left_at:
        return "left"
    relationship = latest_switches(switches, "relationship").get("customer")
    if relationship is None:
        return "prospect"
    return "customer" if relationship["active"] else "former_customer"


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
