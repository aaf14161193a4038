"""Consent records as ISO/IEC TS 27560 records in DPV's JSON-LD.

One ``dpv:ConsentRecord`` per subject and purpose, following the DPVCG
guide (https://w3id.org/dpv/guides/consent-27560, profile
``dpv-27560#record-eu-gdpr``): the purpose, its legal basis, the personal
data, recipients and transfers the policy names for it, and every step
(given, withdrawn) as a consent status with its time, channel and evidence
reference. A bulk document is streamed: shared nodes first, then the
records of a page of subjects at a time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from projections.exchange import nodes
from projections.exchange.vocabulary import CONTEXT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from ledger.policy import Policy, Purpose
    from projections.exchange.nodes import Names

__all__ = ["SCHEMA", "consent_document", "consent_records", "stream_consents"]

SCHEMA = "https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr"


def _purpose(policy: Policy, purpose_id: str) -> Purpose | None:
    return next((p for p in policy.purposes if p.id == purpose_id), None)


def shared_nodes(
    policy: Policy, names: Names, purposes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The controller and the purposes, categories and recipients records
    point to (all of the policy's, or those of the given purposes)."""
    wanted = [p for p in policy.purposes if purposes is None or p.id in purposes]
    categories: dict[str, None] = {}
    recipients: dict[str, None] = {}
    for purpose in wanted:
        for c in purpose.categories or tuple(c.id for c in policy.categories):
            categories[c] = None
        for r in nodes.recipients_for(policy, purpose.id):
            recipients[r.id] = None
    return [
        nodes.controller_node(policy, names),
        *(nodes.purpose_node(p, names) for p in wanted),
        *(nodes.category_node(policy.category(c), names) for c in categories),
        *(nodes.recipient_node(policy, policy.recipient(r), names) for r in recipients),
    ]


def _process(policy: Policy, names: Names, purpose_id: str) -> dict[str, Any]:
    controller = nodes.ref(names.of("controller", "1"))
    process: dict[str, Any] = {
        "@type": "dpv:Process",
        "dpv:hasPurpose": nodes.ref(names.of("purpose", purpose_id)),
        "dpv:hasDataController": controller,
        "dpv:hasJurisdiction": nodes.ref("loc:EU"),
        "dpv:hasConsentControl": {
            "@type": "dpv:WithdrawConsent",
            "dct:description": nodes.labels(policy.controller.contact),
        },
    }
    purpose = _purpose(policy, purpose_id)
    if purpose is None:  # a purpose a later policy dropped: named, not mapped
        return process
    recipients = nodes.recipients_for(policy, purpose_id)
    categories = purpose.categories or tuple(c.id for c in policy.categories)
    process |= {
        "dpv:hasLegalBasis": nodes.ref(purpose.legal_basis.dpv),
        "dpv:hasPersonalData": [nodes.ref(names.of("category", c)) for c in categories],
        "dpv:hasProcessing": nodes.processing_of(recipients),
        "dpv:hasRecipient": [
            nodes.ref(names.of("recipient", r.id)) for r in recipients
        ],
    }
    transfers = nodes.transfer_nodes(recipients, names)
    if transfers:
        process["dpv:hasProcess"] = transfers
    return process


def _status(subject_id: str, step: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = {
        "@type": "dpv:ConsentGiven" if step["active"] else "dpv:ConsentWithdrawn",
        # The subject's stream and version: the event in the ledger.
        "dct:identifier": f"{subject_id}/{step['version']}",
        "dpv:isIndicatedAtTime": {
            "@value": step["occurred_at"],
            "@type": "xsd:dateTime",
        },
        "dpv:isIndicatedBy": nodes.ref("dpv:DataSubject"),
    }
    if step["channel"]:
        status["dpv:hasIndicationMethod"] = step["channel"]
    if step["evidence"]:
        status["dct:source"] = step["evidence"]
    return status


def consent_records(
    policy: Policy,
    names: Names,
    subject_id: str,
    steps: list[dict[str, Any]],
    keep: Callable[[str], bool] | None = None,
) -> list[dict[str, Any]]:
    """A subject's records, one per purpose, from its consent steps (oldest
    first); ``keep`` drops steps a caller may not see (a window)."""
    by_purpose: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        if keep is None or keep(step["occurred_at"]):
            by_purpose.setdefault(step["name"], []).append(step)
    records = []
    for purpose_id, kept in by_purpose.items():
        ident = f"{subject_id}:{purpose_id}"
        record: dict[str, Any] = {
            "@id": names.of("consent", ident),
            "@type": "dpv:ConsentRecord",
            "dct:identifier": ident,
            "dct:conformsTo": nodes.ref(SCHEMA),
            "dpv:hasDataSubject": {
                "@id": names.subject(subject_id),
                "@type": "dpv:DataSubject",
                "dct:identifier": subject_id,
            },
            "dpv:hasDataController": nodes.ref(names.of("controller", "1")),
            "dpv:hasProcess": _process(policy, names, purpose_id),
            "dpv:hasConsentStatus": [_status(subject_id, s) for s in kept],
        }
        updated = policy.controller.notice_updated
        if updated is not None:
            record["dpv:hasNotice"] = {
                "@type": "dpv:PrivacyNotice",
                "dct:modified": {"@value": updated.isoformat(), "@type": "xsd:date"},
            }
        records.append(record)
    return records


def consent_document(
    policy: Policy, names: Names, records: list[dict[str, Any]]
) -> dict[str, Any]:
    """One subject's records with the nodes they point to, as one document."""
    purposes = {r["dpv:hasProcess"]["dpv:hasPurpose"]["@id"] for r in records}
    used = [p.id for p in policy.purposes if names.of("purpose", p.id) in purposes]
    return {
        "@context": CONTEXT,
        "@graph": [*shared_nodes(policy, names, used), *records],
    }


def stream_consents(
    policy: Policy,
    names: Names,
    subjects: Iterator[tuple[str, list[dict[str, Any]]]],
    keep: Callable[[str], bool] | None = None,
) -> Iterator[str]:
    """Every subject's records as one JSON-LD document, in pieces: memory
    holds one page of subjects, not the whole document."""
    yield '{"@context": ' + json.dumps(CONTEXT) + ', "@graph": [\n'
    separator = ""
    for node in shared_nodes(policy, names):
        yield separator + json.dumps(node, ensure_ascii=False)
        separator = ",\n"
    for subject_id, steps in subjects:
        for record in consent_records(policy, names, subject_id, steps, keep):
            yield separator + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"
