"""The access report's DPV identifiers, set beside the names it already
carries, so a program reads the same terms as in the exchange documents
(docs/exchange.md). Names the policy no longer knows get none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.policy import LegalBasis, RecipientRole, Safeguard
from projections.exchange.nodes import Names
from projections.exchange.vocabulary import NAMESPACES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ledger.policy import Policy
    from projections.reports.model import AccessReport, Disclosure, RecipientEntry

__all__ = ["with_identifiers"]


_BASES = {b.value: b.dpv for b in LegalBasis}
_SAFEGUARDS = {s.value: s.dpv for s in Safeguard}


class _Terms:
    """The policy's DPV terms by id, looked up once per report (a key
    account's report carries thousands of disclosures)."""

    def __init__(self, policy: Policy) -> None:
        self.categories = {c.id: c.dpv or "dpv:PersonalData" for c in policy.categories}
        self.purposes = {p.id: p.dpv for p in policy.purposes}
        self.recipients = {r.id: r for r in policy.recipients}

    def disclosure(self, d: Disclosure) -> Disclosure:
        return d.model_copy(
            update={
                "purpose_dpv": self.purposes.get(d.purpose),
                "legal_basis_dpv": _term(_BASES, d.legal_basis),
                "safeguard_dpv": _term(_SAFEGUARDS, d.safeguard),
                "categories_dpv": [
                    t for t in map(self.categories.get, d.categories) if t
                ],
            }
        )

    def recipient(self, r: RecipientEntry) -> RecipientEntry:
        role = (
            "dpv:DataProcessor"
            if r.role == RecipientRole.PROCESSOR
            else "dpv:ThirdParty"
        )
        documented = self.recipients.get(r.id)
        safeguard = r.safeguard
        if safeguard is None and documented is not None and documented.safeguard:
            safeguard = documented.safeguard.value  # the policy's, for a transfer
        return r.model_copy(
            update={
                "role_dpv": role,
                "safeguard_dpv": _term(_SAFEGUARDS, safeguard),
                "disclosures": [self.disclosure(d) for d in r.disclosures],
            }
        )


def _term(terms: Mapping[str, str | None], value: str | None) -> str | None:
    return None if value is None else terms.get(value)


def with_identifiers(report: AccessReport, policy: Policy) -> AccessReport:
    terms = _Terms(policy)
    return report.model_copy(
        update={
            "subject": report.subject.model_copy(
                update={"iri": Names.subject(report.subject.id)}
            ),
            "personal_data": [
                v.model_copy(update={"category_dpv": terms.categories.get(v.category)})
                for v in report.personal_data
            ],
            "purposes": [
                p.model_copy(update={"dpv": terms.purposes.get(p.id)})
                for p in report.purposes
            ],
            "recipients": [terms.recipient(r) for r in report.recipients],
            "standing_transfers": [
                terms.recipient(r) for r in report.standing_transfers
            ],
            "transfers": [terms.disclosure(d) for d in report.transfers],
            "dpv_namespaces": dict(NAMESPACES),
        }
    )
