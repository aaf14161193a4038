"""The policy as DPV: one ``dpv:Process`` per purpose (a processing
activity of the Art. 30 record), with its legal basis, personal data and
their retention, data subjects, sources, recipients with their roles,
transfers with their safeguards, and the ledger's own security measures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.policy import RetentionRule
from projections.exchange import nodes
from projections.exchange.vocabulary import CONTEXT, VERSION

if TYPE_CHECKING:
    from ledger.policy import Policy, Purpose, RetentionClass
    from projections.exchange.nodes import Names

__all__ = ["policy_document"]

# Retention that runs until something happens (then, maybe, years more)
# is an event-bound duration; only a clock from a fixed point is temporal.
_UNTIL_EVENT = (
    RetentionRule.RELATIONSHIP,
    RetentionRule.UNTIL_RESOLVED,
    RetentionRule.UNTIL_REMOVAL_REQUESTED,
    RetentionRule.UNTIL_WITHDRAWN,
)


def _retention(kept: RetentionClass, names: Names) -> dict[str, Any]:
    kind = (
        "dpv:UntilEventDuration"
        if kept.rule in _UNTIL_EVENT
        else "dpv:TemporalDuration"
    )
    node: dict[str, Any] = {
        "@id": names.of("retention", kept.id),
        "@type": ["dpv:StorageDuration", kind],
        "dct:identifier": kept.id,
        "skos:prefLabel": nodes.labels(kept.label),
        "dct:description": nodes.labels(kept.criteria),
    }
    if kept.years:
        node["rdf:value"] = f"P{kept.years}Y"
    return node


def _subjects(policy: Policy, names: Names) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": names.of("data-subjects", "1"),
        "@type": "dpv:DataSubject",
        # Contact persons of customers and prospects: the nearest DPV terms.
        "skos:broader": [nodes.ref("dpv:Customer"), nodes.ref("dpv:Representative")],
    }
    if policy.data_subjects is not None:
        node["skos:prefLabel"] = nodes.labels(policy.data_subjects)
    return node


def _activity(policy: Policy, purpose: Purpose, names: Names) -> dict[str, Any]:
    recipients = nodes.recipients_for(policy, purpose.id)
    categories = purpose.categories or tuple(c.id for c in policy.categories)
    processors = [
        r for r in recipients if policy.recipient_type(r.type).role.value == "processor"
    ]
    activity: dict[str, Any] = {
        "@id": names.of("activity", purpose.id),
        "@type": "dpv:Process",
        "dct:identifier": purpose.id,
        "dpv:hasPurpose": nodes.ref(names.of("purpose", purpose.id)),
        "dpv:hasLegalBasis": nodes.ref(purpose.legal_basis.dpv),
        "dpv:hasDataController": nodes.ref(names.of("controller", "1")),
        "dpv:hasDataSubject": nodes.ref(names.of("data-subjects", "1")),
        "dpv:hasPersonalData": [nodes.ref(names.of("category", c)) for c in categories],
        "dpv:hasDataSource": [
            nodes.ref(names.of("source", s.id)) for s in policy.sources
        ],
        "dpv:hasProcessing": nodes.processing_of(recipients),
        "dpv:hasRecipient": [
            nodes.ref(names.of("recipient", r.id)) for r in recipients
        ],
        "dpv:hasDataProcessor": [
            nodes.ref(names.of("recipient", r.id)) for r in processors
        ],
        "dpv:hasTechnicalMeasure": nodes.security_measures(),
    }
    if purpose.interest is not None:
        activity["dct:description"] = nodes.labels(purpose.interest)
    transfers = nodes.transfer_nodes(recipients, names)
    if transfers:
        activity["dpv:hasProcess"] = transfers
    return activity


def policy_document(policy: Policy, names: Names) -> dict[str, Any]:
    """The whole policy as one JSON-LD document (no personal value)."""
    graph: list[dict[str, Any]] = [
        {
            "@id": names.of("policy", "1"),
            "@type": "dpv:RecordsOfActivities",
            "dct:conformsTo": nodes.ref(f"https://w3id.org/dpv/{VERSION}"),
            "dpv:hasDataController": nodes.ref(names.of("controller", "1")),
            "dct:hasPart": [
                nodes.ref(names.of("activity", p.id)) for p in policy.purposes
            ],
        },
        nodes.controller_node(policy, names),
        _subjects(policy, names),
        *(nodes.purpose_node(p, names) for p in policy.purposes),
        *(
            nodes.category_node(c, names)
            | {"dpv:hasStorageCondition": nodes.ref(names.of("retention", c.retention))}
            for c in policy.categories
        ),
        *(_retention(r, names) for r in policy.retention),
        *(
            {
                "@id": names.of("source", s.id),
                "@type": "dpv:DataSource",
                "dct:identifier": s.id,
                "skos:prefLabel": nodes.labels(s.label),
            }
            for s in policy.sources
        ),
        *(nodes.recipient_node(policy, r, names) for r in policy.recipients),
        *(_activity(policy, p, names) for p in policy.purposes),
    ]
    if policy.controller.notice_updated is not None:
        graph[0]["dct:modified"] = {
            "@value": policy.controller.notice_updated.isoformat(),
            "@type": "xsd:date",
        }
    return {"@context": CONTEXT, "@graph": graph}
