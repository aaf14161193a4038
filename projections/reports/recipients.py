"""Art. 15(1)(c) and 15(2): every recipient, each disclosure with the
findings it raised, the standing processors and who may yet receive data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from projections import queries
from projections.reports.model import (
    BreachedUse,
    Disclosure,
    FindingNote,
    PossibleRecipient,
    RecipientEntry,
)
from projections.reports.texts import text

if TYPE_CHECKING:
    from projections.reports.context import Context
    from projections.reports.model import Language

__all__ = [
    "art19_recipients",
    "breached_uses",
    "possible_recipients",
    "recipients",
    "standing_processors",
]


def recipients(ctx: Context) -> tuple[list[RecipientEntry], list[Disclosure]]:
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


def _row_findings(ctx: Context, row: dict[str, Any]) -> list[FindingNote]:
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


def _withdrawn_before(ctx: Context, row: dict[str, Any]) -> bool:
    return any(
        s["kind"] == "consent"
        and s["name"] == row["purpose"]
        and not s["active"]
        and s["occurred_at"] <= row["occurred_at"]
        for s in ctx.found["switches"]
    )


def _disclosure(ctx: Context, row: dict[str, Any]) -> Disclosure:
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


def breached_uses(ctx: Context) -> list[BreachedUse]:
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


def standing_processors(
    ctx: Context, named: set[str], purposes: set[str]
) -> list[RecipientEntry]:
    """Processors the policy gives every contact's data to (CRM storage,
    email, hosting, workspaces), whose purposes and categories cover this
    person's data, and that no recorded event named."""
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


def possible_recipients(ctx: Context, named: set[str]) -> list[PossibleRecipient]:
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


def art19_recipients(
    ctx: Context, standing: list[RecipientEntry], change: str
) -> list[str]:
    """Art. 19: the recipients to tell of a rectification or restriction are
    those who received the data before it (later ones got it as changed);
    a rectification concerns only those sent the rectified category. The
    standing processors hold the data all along and are always told."""
    if change == "rectification":
        changed = {
            v["category"]: _moment(v["occurred_at"])
            for v in ctx.found["values"]
            if v["rectified"]
        }
    else:
        starts = [
            _moment(s["occurred_at"])
            for s in ctx.found["switches"]
            if s["kind"] == "restriction" and s["active"]
        ]
        changed = {"*": max(starts)} if starts else {}
    told: list[str] = []
    for row in ctx.disclosures:
        sent = _moment(row["occurred_at"])
        categories = row["categories"].split(",") if row["categories"] else []
        if any(
            sent < at and (category == "*" or category in categories)
            for category, at in changed.items()
        ):
            name = ctx.policy.recipient(row["recipient"]).name
            if name not in told:
                told.append(name)
    return told + [r.name for r in standing if r.name not in told]


def _moment(stored: str) -> datetime:
    return datetime.fromisoformat(stored)
