"""The access report's DPV identifiers, set beside the names it already
carries, so a program reads the same terms as in the exchange documents
(docs/exchange.md). Names the policy no longer knows get none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.policy import LegalBasis, RecipientRole, Safeguard
from projections.exchange.nodes import Names
from projections.exchange.vocabulary import NAMESPACES

if TYPE_CHECKING:
    from ledger.policy import Policy
    from projections.reports.model import AccessReport, Disclosure, RecipientEntry

__all__ = ["with_identifiers"]


def _category(policy: Policy, category_id: str) -> str | None:
    found = next((c for c in policy.categories if c.id == category_id), None)
    return None if found is None else found.dpv or "dpv:PersonalData"


def _purpose(policy: Policy, purpose_id: str) -> str | None:
    found = next((p for p in policy.purposes if p.id == purpose_id), None)
    return None if found is None else found.dpv


def _basis(value: str | None) -> str | None:
    known = {b.value: b.dpv for b in LegalBasis}
    return None if value is None else known.get(value)


def _safeguard(value: str | None) -> str | None:
    known = {s.value: s.dpv for s in Safeguard}
    return None if value is None else known.get(value)


def _disclosure(policy: Policy, d: Disclosure) -> Disclosure:
    return d.model_copy(
        update={
            "purpose_dpv": _purpose(policy, d.purpose),
            "legal_basis_dpv": _basis(d.legal_basis),
            "safeguard_dpv": _safeguard(d.safeguard),
            "categories_dpv": [
                t for t in (_category(policy, c) for c in d.categories) if t
            ],
        }
    )


def _recipient(policy: Policy, r: RecipientEntry) -> RecipientEntry:
    role = (
        "dpv:DataProcessor" if r.role == RecipientRole.PROCESSOR else "dpv:ThirdParty"
    )
    documented = next((x for x in policy.recipients if x.id == r.id), None)
    safeguard = r.safeguard
    if safeguard is None and documented is not None and documented.safeguard:
        safeguard = documented.safeguard.value  # the policy's, for a transfer
    return r.model_copy(
        update={
            "role_dpv": role,
            "safeguard_dpv": _safeguard(safeguard),
            "disclosures": [_disclosure(policy, d) for d in r.disclosures],
        }
    )


def with_identifiers(report: AccessReport, policy: Policy) -> AccessReport:
    return report.model_copy(
        update={
            "subject": report.subject.model_copy(
                update={"iri": Names.subject(report.subject.id)}
            ),
            "personal_data": [
                v.model_copy(update={"category_dpv": _category(policy, v.category)})
                for v in report.personal_data
            ],
            "purposes": [
                p.model_copy(update={"dpv": _purpose(policy, p.id)})
                for p in report.purposes
            ],
            "recipients": [_recipient(policy, r) for r in report.recipients],
            "standing_transfers": [
                _recipient(policy, r) for r in report.standing_transfers
            ],
            "transfers": [_disclosure(policy, d) for d in report.transfers],
            "dpv_namespaces": dict(NAMESPACES),
        }
    )
