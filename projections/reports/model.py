"""The access report's model: what a person receives, as data.

Every rendering (JSON, Markdown, HTML, PDF) is made from these models, so
that all of them carry the same content.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ledger.clock import local

__all__ = [
    "AccessReport",
    "BreachedUse",
    "Disclosure",
    "ErasureEntry",
    "FindingNote",
    "HeldValue",
    "IntegrityEntry",
    "KeptEntry",
    "Language",
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
]

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
    category_dpv: str | None = None  # its DPV term (docs/exchange.md)


class PurposeEntry(_Part):
    id: str
    label: str
    legal_basis: str
    legal_basis_label: str
    legal_basis_dpv: str
    interest: str | None = None  # the legitimate interest pursued (Art. 13(1)(d))
    dpv: str | None = None  # the DPV purpose it specialises (docs/exchange.md)


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
    # DPV terms beside the names above (docs/exchange.md).
    purpose_dpv: str | None = None
    legal_basis_dpv: str | None = None
    safeguard_dpv: str | None = None
    categories_dpv: list[str] = []


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
    role_dpv: str | None = None  # dpv:DataProcessor or dpv:ThirdParty
    safeguard_dpv: str | None = None


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
    iri: str | None = None  # urn:uuid: of the pseudonymous id, as in DPV records


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
    # When `verify --read-models` last found the read models this report
    # reads equal to a rebuild from the log, and at which tree size.
    models_checked_size: int | None = None
    models_checked_at: datetime | None = None


class Consultation(_Part):
    """A look at the person's values: when, by which role, why (no names)."""

    at: datetime
    role: str
    view: str
    purpose: str | None


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
    # For the operator before the answer is sent; never part of the answer.
    review_warning: str | None = Field(default=None, exclude=True)
    possible_recipients: list[PossibleRecipient] = []
    # Non-EEA processors holding the data all along, with their safeguard.
    standing_transfers: list[RecipientEntry] = []
    notice_updated: date | None = None  # the privacy notice this reflects
    breached_uses: list[BreachedUse] = []
    # Art. 19: who is told of an erasure, rectification or restriction.
    told_of_changes: list[str] = []  # of an erasure: every recipient
    told_of_rectification: list[str] = []  # those sent the data before it
    told_of_restriction: list[str] = []
    rectified: bool = False
    ever_restricted: bool = False
    consultations: list[Consultation] = []  # C-579/21
    # The prefixes of every *_dpv field above, to expand them to IRIs.
    dpv_namespaces: dict[str, str] = {}
