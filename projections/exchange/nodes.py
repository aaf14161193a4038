"""The nodes both exchange documents share: our policy's names as DPV terms.

Our own things (the controller, a purpose, a category, a recipient, a
subject) get IRIs under the ledger's id; each points to the DPV term it
specialises with ``skos:broader`` (docs/exchange.md has the mapping).
Subjects are named by the ledger's pseudonymous id (``urn:uuid:``), never by
an email or a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.policy import EEA_COUNTRIES, RecipientRole

if TYPE_CHECKING:
    from ledger.policy import Category, Label, Policy, Purpose, Recipient

__all__ = [
    "Names",
    "category_node",
    "controller_node",
    "labels",
    "processing_of",
    "purpose_node",
    "recipient_node",
    "ref",
    "security_measures",
    "transfer_nodes",
]

# What the ledger itself does to the data it holds (docs/evidence.md).
_MEASURES = (
    "dpv:EncryptionAtRest",  # every value sealed under a key of its own
    "dpv:Pseudonymisation",  # the log names people by a random id
    "dpv:DigitalSignatures",  # signed checkpoints of the log
    "dpv:AccessControlMethod",  # roles, windows, recorded consultations
)


def ref(term: str) -> dict[str, str]:
    return {"@id": term}


def labels(label: Label) -> list[dict[str, str]]:
    return [
        {"@value": label.en, "@language": "en"},
        {"@value": label.fi, "@language": "fi"},
    ]


class Names:
    """IRIs of the ledger's own things (its id keeps two ledgers apart)."""

    def __init__(self, origin: str) -> None:
        ledger_id = origin.rsplit("/", 1)[-1]
        self.base = f"urn:kirjuri:{ledger_id}:"

    def of(self, kind: str, ident: str) -> str:
        return f"{self.base}{kind}:{ident}"

    @staticmethod
    def subject(subject_id: str) -> str:
        return f"urn:uuid:{subject_id}"


def controller_node(policy: Policy, names: Names) -> dict[str, Any]:
    controller = policy.controller
    node: dict[str, Any] = {
        "@id": names.of("controller", "1"),
        "@type": ["dpv:DataController", "dpv:Organisation"],
        "dpv:hasName": controller.name,
        "dpv:hasAddress": controller.address,
        "dpv:hasCountry": ref(f"loc:{controller.country}"),
        "dpv:hasContact": labels(controller.contact),
    }
    if controller.business_id:
        node["dct:identifier"] = controller.business_id
    return node


def purpose_node(purpose: Purpose, names: Names) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": names.of("purpose", purpose.id),
        "@type": "dpv:Purpose",
        "dct:identifier": purpose.id,
        "skos:prefLabel": labels(purpose.label),
    }
    if purpose.dpv:
        node["skos:broader"] = ref(purpose.dpv)
    return node


def category_node(category: Category, names: Names) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": names.of("category", category.id),
        "@type": "dpv:PersonalData",
        "dct:identifier": category.id,
        "skos:prefLabel": labels(category.label),
        # Any other information: no narrower term than personal data.
        "skos:broader": ref(category.dpv or "dpv:PersonalData"),
    }
    return node


def recipient_node(
    policy: Policy, recipient: Recipient, names: Names
) -> dict[str, Any]:
    kind = policy.recipient_type(recipient.type)
    role = (
        "dpv:DataProcessor"
        if kind.role is RecipientRole.PROCESSOR
        else "dpv:ThirdParty"
    )
    return {
        "@id": names.of("recipient", recipient.id),
        "@type": ["dpv:Recipient", role, "dpv:Organisation"],
        "dct:identifier": recipient.id,
        "dpv:hasName": recipient.name,
        "dpv:hasCountry": ref(f"loc:{recipient.country}"),
        "dct:description": labels(kind.label),
    }


def recipients_for(policy: Policy, purpose_id: str) -> list[Recipient]:
    """The recipients the policy names for a purpose (none listed: any)."""
    return [r for r in policy.recipients if not r.purposes or purpose_id in r.purposes]


def transfer_nodes(recipients: list[Recipient], names: Names) -> list[dict[str, Any]]:
    """Transfers outside the EU/EEA, each with its Art. 45-49 ground."""
    out = []
    for r in recipients:
        if r.country in EEA_COUNTRIES or r.safeguard is None:
            continue
        node: dict[str, Any] = {
            "@type": "dpv:Process",
            "dpv:hasProcessing": ref("dpv:Transfer"),
            "dpv:hasRecipient": ref(names.of("recipient", r.id)),
            "dpv:hasThirdCountry": ref(f"loc:{r.country}"),
            "dpv:hasLegalBasis": ref(r.safeguard.dpv),
        }
        if r.necessity is not None:
            node["dct:description"] = labels(r.necessity)
        out.append(node)
    return out


def processing_of(recipients: list[Recipient]) -> list[dict[str, str]]:
    """Operations: held and used always; disclosed and transferred where
    the policy names recipients (an approximation: docs/exchange.md)."""
    operations = ["dpv:Store", "dpv:Use"]
    if recipients:
        operations.append("dpv:Disclose")
    if any(r.country not in EEA_COUNTRIES for r in recipients):
        operations.append("dpv:Transfer")
    return [ref(o) for o in operations]


def security_measures() -> list[dict[str, str]]:
    return [ref(m) for m in _MEASURES]
