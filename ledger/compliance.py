"""The policy rules a recorded processing is judged by.

A breach never stops a fact from being recorded: the handler appends the
processing event and, beside it, one `FindingRaised` per broken rule. The
same function answers ``kirjuri check`` before anything is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.clock import local_date
from ledger.deadlines import add_months
from ledger.events import ObjectionScope
from ledger.policy import EEA_COUNTRIES, LegalBasis, RecipientRole

if TYPE_CHECKING:
    from datetime import datetime

    from ledger.policy import Policy
    from ledger.subject import SubjectState

__all__ = ["Finding", "Processing", "judge"]


@dataclass(frozen=True)
class Processing:
    """What is about to be (or was) done with a subject's data."""

    purpose: str
    legal_basis: LegalBasis
    categories: tuple[str, ...]
    occurred_at: datetime
    recipient: str | None = None
    safeguard: str | None = None
    country: str | None = None  # where the data went, if not the recipient's
    collection: bool = False  # data collected for the purpose, not used yet


@dataclass(frozen=True)
class Finding:
    rule: str
    detail: str


def judge(policy: Policy, state: SubjectState, processing: Processing) -> list[Finding]:
    """Every rule of the policy that this processing breaks, in a fixed order."""
    findings: list[Finding] = []
    purpose = policy.purpose(processing.purpose)
    at = processing.occurred_at

    def breach(rule: str, detail: str) -> None:
        findings.append(Finding(rule, detail))

    if state.erased_at is not None and state.erased_at <= at:
        breach(
            "erased",
            f"{purpose.id} of a subject erased on {local_date(state.erased_at)}",
        )
    if processing.legal_basis != purpose.legal_basis:
        breach(
            "legal_basis_mismatch",
            f"purpose {purpose.id} rests on {purpose.legal_basis.value}, "
            f"not {processing.legal_basis.value}",
        )
    if purpose.legal_basis is LegalBasis.CONSENT and not state.consent_in_force(
        purpose.id, at
    ):
        breach("consent_required", f"no consent to {purpose.id} in force")
    findings.extend(_judge_marketing(policy, state, processing))
    if (
        processing.legal_basis is LegalBasis.LEGITIMATE_INTEREST
        and not purpose.allowed_while_restricted
        and state.objection_in_force(ObjectionScope.LEGITIMATE_INTEREST, at)
    ):
        breach(
            "legitimate_interest_objection",
            f"{purpose.id} on legitimate interest after an objection (Art. 21(1)) "
            "with no compelling grounds recorded",
        )
    if state.restriction.at(at) and not purpose.allowed_while_restricted:
        breach("restricted", f"{purpose.id} while processing is restricted (Art. 18)")
    if (
        not purpose.allowed_after_leaving
        and state.left_at is not None
        and state.left_at <= at
    ):
        breach(
            "left_company",
            f"{purpose.id} of a person who left the company they represented",
        )
    if purpose.categories:
        for category in processing.categories:
            if category not in purpose.categories:
                breach(
                    "purpose_categories",
                    f"category {category} is not needed for {purpose.id}",
                )
    if processing.recipient is not None:
        findings.extend(_judge_recipient(policy, processing))
        findings.extend(_breach_assessment(policy, processing, findings))
    return findings


def _judge_marketing(
    policy: Policy, state: SubjectState, processing: Processing
) -> list[Finding]:
    """Objections to marketing and sales contact, and Art. 14 information."""
    purpose = policy.purpose(processing.purpose)
    at = processing.occurred_at
    findings = []
    if purpose.direct_marketing and state.objection_in_force(
        ObjectionScope.DIRECT_MARKETING, at
    ):
        findings.append(
            Finding(
                "direct_marketing_objection",
                f"{purpose.id} after an objection to direct marketing",
            )
        )
    if purpose.sales_contact and state.objection_in_force(
        ObjectionScope.SALES_CONTACT, at
    ):
        findings.append(
            Finding(
                "sales_contact_objection",
                f"{purpose.id} after an objection to sales contact",
            )
        )
    if purpose.direct_marketing and not processing.collection:
        findings.extend(_judge_informed(policy, state, at))
    return findings


def _judge_informed(policy: Policy, state: SubjectState, at: datetime) -> list[Finding]:
    """Art. 14(3): a person collected from another party is told at the
    latest when first contacted, and within one month of collection."""
    if state.registered_at is None or not state.source:
        return []
    source = policy.source(state.source)
    if source.from_subject or source.derived:
        return []
    # A consent the person gave is informed (Art. 4(11), 7): they have the
    # information already (Art. 14(5)(a)).
    told = [state.informed_at] if state.informed_at else []
    told += [e[0] for t in state.consents.values() for e in t.entries if e[2]]
    if any(moment <= at for moment in told):
        return []
    late = at.date() > add_months(state.registered_at.date(), 1)
    return [
        Finding(
            "not_informed",
            "marketing to a person collected from "
            f"{source.id} who was not informed (Art. 14(3)(b))"
            + (
                ", more than one month after collection (Art. 14(3)(a))" if late else ""
            ),
        )
    ]


def _breach_assessment(
    policy: Policy, processing: Processing, findings: list[Finding]
) -> list[Finding]:
    """An unlawful disclosure to a third party, or a transfer with no
    safeguard, may be a personal data breach: someone must assess it."""
    if not findings:
        return []
    recipient = policy.recipient(processing.recipient or "")
    role = policy.recipient_type(recipient.type).role
    unsafe = any(f.rule == "no_safeguard" for f in findings)
    if role is not RecipientRole.CONTROLLER and not unsafe:
        return []
    return [
        Finding(
            "breach_assessment",
            f"data of the person reached {recipient.id} in breach of the policy: "
            "assess whether this is a personal data breach to notify to the "
            "supervisory authority within 72 hours (Art. 33)",
        )
    ]


def _judge_recipient(policy: Policy, processing: Processing) -> list[Finding]:
    findings = []
    recipient = policy.recipient(processing.recipient or "")
    country = processing.country or recipient.country
    if (
        country not in EEA_COUNTRIES
        and processing.safeguard is None
        and recipient.safeguard is None
    ):
        findings.append(
            Finding(
                "no_safeguard",
                f"transfer to {recipient.id} in {country}, outside the EU/EEA, "
                "with no safeguard (GDPR Chapter V)",
            )
        )
    if processing.country is not None and processing.country != recipient.country:
        findings.append(
            Finding(
                "recipient_country",
                f"{recipient.id} is in {recipient.country} per the policy; "
                f"the data went to {processing.country}",
            )
        )
    if recipient.purposes and processing.purpose not in recipient.purposes:
        findings.append(
            Finding(
                "recipient_purpose",
                f"{recipient.id} does not receive data for {processing.purpose}",
            )
        )
    if recipient.categories:
        for category in processing.categories:
            if category not in recipient.categories:
                findings.append(
                    Finding(
                        "recipient_categories",
                        f"{recipient.id} does not receive category {category}",
                    )
                )
    if (
        recipient.country not in EEA_COUNTRIES
        and processing.safeguard is not None
        and recipient.safeguard is not None
        and processing.safeguard != recipient.safeguard.value
    ):
        findings.append(
            Finding(
                "safeguard_mismatch",
                f"transfer to {recipient.id} under {processing.safeguard}, "
                f"policy names {recipient.safeguard.value}",
            )
        )
    return findings
