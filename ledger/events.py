"""The facts Kirjuri records: immutable, versioned events of a data subject.

Every event belongs to one subject's stream (``originator_id``) and says when
the processing happened (``occurred_at``, given by the reporting system, may
be in the past) and when Kirjuri recorded it (``recorded_at``). Personal
values are `Sealed`; what auditors query stays in clear.

Stored names (``STORED_NAME``) never change. To change a schema, raise
``class_version`` and add a static ``upcast_vN_vN1(state: dict) -> None`` that
rewrites the stored state of version N in place; old events keep loading
(see ``ledger.mapper``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ledger.policy import LegalBasis, Safeguard
from ledger.sealed import Sealed

__all__ = [
    "EVENT_TYPES",
    "POLICY_STREAM",
    "RECEIPTS",
    "RECEIPT_TYPES",
    "CommandReceived",
    "ConsentGiven",
    "ConsentWithdrawn",
    "DataCollected",
    "DataDisclosed",
    "DataProcessed",
    "DataRectified",
    "DataTransferred",
    "FindingAcknowledged",
    "FindingRaised",
    "KeptClass",
    "LegalHoldPlaced",
    "LegalHoldReleased",
    "ObjectionLifted",
    "ObjectionRecorded",
    "ObjectionScope",
    "PolicyAdopted",
    "ProcessingRestricted",
    "RelationshipEnded",
    "RelationshipStarted",
    "RequestAnswered",
    "RequestExtended",
    "RequestFoundExcessive",
    "RequestIdClaimed",
    "RequestReceived",
    "RequestRefused",
    "RequestType",
    "RestrictionGround",
    "RestrictionLifted",
    "RetentionExpired",
    "SignInFailed",
    "SignedIn",
    "SubjectConsulted",
    "SubjectErased",
    "SubjectEvent",
    "SubjectInformed",
    "SubjectLeftCompany",
    "SubjectRegistered",
    "Suppression",
    "TokenCreated",
    "TokenRevoked",
    "UserAdded",
    "UserDisabled",
    "UserPasswordSet",
    "receipt_stream",
]

EVENT_TYPES: dict[str, type[SubjectEvent]] = {}
POLICY_STREAM = uuid5(
    UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "urn:kirjuri:policy"
)

# Receipt streams (see `CommandReceived`) are named from the key they claim.
RECEIPTS = uuid5(UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "urn:kirjuri:receipts")


def receipt_stream(key: str) -> UUID:
    """The stream that claims a unique key ("command:ID", "request:ID")."""
    return uuid5(RECEIPTS, key)


class ObjectionScope(StrEnum):
    DIRECT_MARKETING = "direct_marketing"  # Art. 21(2): absolute
    SALES_CONTACT = "sales_contact"  # the notice's "no more sales contact"
    LEGITIMATE_INTEREST = "legitimate_interest"  # Art. 21(1)


class RestrictionGround(StrEnum):
    """Art. 18(1)(a)-(d)."""

    ACCURACY_CONTESTED = "accuracy_contested"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    LEGAL_CLAIMS = "legal_claims"
    OBJECTION_PENDING = "objection_pending"


class RequestType(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    PORTABILITY = "portability"


class SubjectEvent(BaseModel):
    """Base of every event in a subject's stream."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    STORED_NAME: ClassVar[str] = ""
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    reported_by: str = Field(default="kirjuri", max_length=64)

    def __init_subclass__(cls, *, register: bool = True, **kwargs: Any) -> None:
        # ``register=False`` keeps a class (e.g. a schema test's) out of the registry.
        super().__init_subclass__(**kwargs)
        if register and cls.__dict__.get("STORED_NAME"):
            register_event(cls)

    @property
    def stored_name(self) -> str:
        return self.STORED_NAME


def register_event(cls: type[SubjectEvent], *, replace: bool = False) -> None:
    """Make a stored name load as ``cls``; ``replace`` is for schema tests."""
    existing = EVENT_TYPES.get(cls.STORED_NAME)
    if existing is not None and existing is not cls and not replace:
        raise TypeError(f"stored name {cls.STORED_NAME!r} is already {existing!r}")
    EVENT_TYPES[cls.STORED_NAME] = cls


class SubjectRegistered(SubjectEvent):
    """A person became known, as a representative of a company."""

    STORED_NAME: ClassVar[str] = "SubjectRegistered"
    company_name: Sealed
    business_id: Sealed | None = None
    source: str


class DataCollected(SubjectEvent):
    STORED_NAME: ClassVar[str] = "DataCollected"
    category: str
    value: Sealed
    source: str
    purposes: tuple[str, ...]


class DataRectified(SubjectEvent):
    STORED_NAME: ClassVar[str] = "DataRectified"
    category: str
    value: Sealed
    source: str


class ConsentGiven(SubjectEvent):
    STORED_NAME: ClassVar[str] = "ConsentGiven"
    purpose: str
    channel: str
    evidence: str | None = None  # reference to the consent record (ISO/IEC TS 27560)


class ConsentWithdrawn(SubjectEvent):
    STORED_NAME: ClassVar[str] = "ConsentWithdrawn"
    purpose: str
    channel: str
    evidence: str | None = None


class ObjectionRecorded(SubjectEvent):
    STORED_NAME: ClassVar[str] = "ObjectionRecorded"
    scope: ObjectionScope
    channel: str


class ObjectionLifted(SubjectEvent):
    STORED_NAME: ClassVar[str] = "ObjectionLifted"
    scope: ObjectionScope
    channel: str


class ProcessingRestricted(SubjectEvent):
    STORED_NAME: ClassVar[str] = "ProcessingRestricted"
    ground: RestrictionGround


class RestrictionLifted(SubjectEvent):
    STORED_NAME: ClassVar[str] = "RestrictionLifted"


class DataProcessed(SubjectEvent):
    """Data used for a purpose inside the controller (e.g. a newsletter sent)."""

    STORED_NAME: ClassVar[str] = "DataProcessed"
    purpose: str
    legal_basis: LegalBasis
    categories: tuple[str, ...]
    activity: str
    recipient: str | None = None  # a processor doing it on our behalf


class DataDisclosed(SubjectEvent):
    STORED_NAME: ClassVar[str] = "DataDisclosed"
    recipient: str
    country: str
    categories: tuple[str, ...]
    purpose: str
    legal_basis: LegalBasis
    reference: str | None = None  # e.g. the order number


class DataTransferred(SubjectEvent):
    """Disclosure or processor access outside the EU/EEA.

    v2: ``safeguard`` may be None — a transfer made with no safeguard is a
    fact recorded with a Chapter V finding, not a refused command."""

    STORED_NAME: ClassVar[str] = "DataTransferred"
    class_version: ClassVar[int] = 2
    recipient: str
    country: str
    safeguard: Safeguard | None
    categories: tuple[str, ...]
    purpose: str
    legal_basis: LegalBasis
    reference: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Every v1 transfer named its safeguard: nothing to rewrite."""


class RelationshipStarted(SubjectEvent):
    """The represented company became a customer (contract in force)."""

    STORED_NAME: ClassVar[str] = "RelationshipStarted"
    reference: str | None = None


class RelationshipEnded(SubjectEvent):
    STORED_NAME: ClassVar[str] = "RelationshipEnded"
    reference: str | None = None


class SubjectLeftCompany(SubjectEvent):
    STORED_NAME: ClassVar[str] = "SubjectLeftCompany"


class SubjectInformed(SubjectEvent):
    """Art. 14: a person whose data came from another party was told of the
    processing (who we are, why, the source, their rights)."""

    STORED_NAME: ClassVar[str] = "SubjectInformed"
    channel: str
    reference: str | None = None  # e.g. the notice version that was sent


class RequestReceived(SubjectEvent):
    STORED_NAME: ClassVar[str] = "RequestReceived"
    request_id: str
    request_type: RequestType
    channel: str
    received_on: date
    due_on: date  # Art. 12(3), fixed at receipt by the policy then in force


class RequestExtended(SubjectEvent):
    """v2: ``reason_fi``, the reason in Finnish for Finnish answers."""

    STORED_NAME: ClassVar[str] = "RequestExtended"
    class_version: ClassVar[int] = 2
    request_id: str
    reason: str
    due_on: date
    notified_on: date
    reason_fi: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A v1 reason was given in one language only: nothing to rewrite."""


class RequestFoundExcessive(SubjectEvent):
    """Art. 12(5): the controller's reasoned decision that a request is
    manifestly unfounded or excessive, the only ground for a fee beyond a
    further copy of an access answer."""

    STORED_NAME: ClassVar[str] = "RequestFoundExcessive"
    request_id: str
    reason: str
    reason_fi: str | None = None


class RequestAnswered(SubjectEvent):
    STORED_NAME: ClassVar[str] = "RequestAnswered"
    request_id: str
    answered_on: date


class RequestRefused(SubjectEvent):
    """v2: ``reason_fi``, the reason in Finnish for Finnish answers."""

    STORED_NAME: ClassVar[str] = "RequestRefused"
    class_version: ClassVar[int] = 2
    request_id: str
    answered_on: date
    reason: str
    reason_fi: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A v1 reason was given in one language only: nothing to rewrite."""


class FindingRaised(SubjectEvent):
    """A recorded processing breached the policy in force when it happened."""

    STORED_NAME: ClassVar[str] = "FindingRaised"
    rule: str
    about_version: int
    about_event: str
    detail: str


class FindingAcknowledged(SubjectEvent):
    """Someone (``reported_by``) took note of a finding, with a note of what
    was done. A new fact beside the finding: the finding itself never
    changes. The note is metadata in clear, so it carries no personal value."""

    STORED_NAME: ClassVar[str] = "FindingAcknowledged"
    finding_id: int = Field(ge=1)  # the finding's sequence number in the log
    finding_version: int = Field(ge=1)  # its version on this stream
    note: str = Field(min_length=1, max_length=1000)


class PolicyAdopted(SubjectEvent):
    """A policy file came into force; kept in the log like every other fact.

    Lives in its own stream (`POLICY_STREAM`), not a subject's."""

    STORED_NAME: ClassVar[str] = "PolicyAdopted"
    text: str
    digest: str


class LegalHoldPlaced(SubjectEvent):
    """A complaint, dispute or legal claim: data is kept until released."""

    STORED_NAME: ClassVar[str] = "LegalHoldPlaced"
    reason: str


class LegalHoldReleased(SubjectEvent):
    STORED_NAME: ClassVar[str] = "LegalHoldReleased"
    reason: str


class KeptClass(BaseModel):
    """A retention class erasure did not reach, why, and until when."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    retention: str
    categories: tuple[str, ...]
    ground: str
    until: date | None  # None: while the ground lasts (e.g. a legal hold)


class Suppression(BaseModel):
    """An objection kept after erasure as a keyed hash only (notice §4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lookup: str
    scope: ObjectionScope
    since: date


class SubjectErased(SubjectEvent):
    """Erasure (Art. 17): which data keys were destroyed, which kept and why.

    Metadata only; the destroyed keys make the subject's values unreadable
    while every event stays whole and provable."""

    STORED_NAME: ClassVar[str] = "SubjectErased"
    request_id: str | None = None
    destroyed: tuple[str, ...]
    kept: tuple[KeptClass, ...] = ()
    suppression: tuple[Suppression, ...] = ()


class RetentionExpired(SubjectEvent):
    """Retention ended: the data keys of these classes were destroyed."""

    STORED_NAME: ClassVar[str] = "RetentionExpired"
    destroyed: tuple[str, ...]
    ground: str


class CommandReceived(SubjectEvent):
    """A command with an idempotency key was recorded, once.

    Written in the same save as the command's events, as version 1 of the
    stream `receipt_stream("command:" + command_id)`: the event store's
    unique (stream, version) key makes a second recording of the same key
    fail in the database, whichever process tries it. Not a subject's
    stream: read models and subject look-ups skip it."""

    STORED_NAME: ClassVar[str] = "CommandReceived"
    command_id: str
    command: str  # the command's kind
    subject_id: UUID
    request_id: str | None = None


class RequestIdClaimed(SubjectEvent):
    """A request id was taken, once per ledger (same guarantee as above):
    version 1 of the stream `receipt_stream("request:" + request_id)`."""

    STORED_NAME: ClassVar[str] = "RequestIdClaimed"
    request_id: str
    subject_id: UUID


RECEIPT_TYPES: tuple[type[SubjectEvent], ...] = (CommandReceived, RequestIdClaimed)


# Who may call the HTTP API, and who looked at whose data ------------------


class TokenCreated(SubjectEvent):
    """An API token was issued (the ledger's own stream). Only the token's
    SHA-256 is kept: the token itself was shown once and never stored."""

    STORED_NAME: ClassVar[str] = "TokenCreated"
    token_id: str = Field(max_length=32)
    name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    token_hash: str = Field(min_length=64, max_length=64)
    expires_at: AwareDatetime | None = None
    subjects: tuple[str, ...] = ()  # a regulator's subjects (ids), if limited
    since: AwareDatetime | None = None  # a regulator's window
    until: AwareDatetime | None = None


class TokenRevoked(SubjectEvent):
    STORED_NAME: ClassVar[str] = "TokenRevoked"
    token_id: str = Field(max_length=32)


class SubjectConsulted(SubjectEvent):
    """Someone was shown this person's values (C-579/21: the person may learn
    when and why). Who by name and role, which view; never the values."""

    STORED_NAME: ClassVar[str] = "SubjectConsulted"
    view: str = Field(max_length=32)
    caller: str = Field(max_length=64)
    role: str = Field(max_length=16)
    purpose: str | None = Field(default=None, max_length=200)


# People's accounts for the web pages (the ledger's own stream, like tokens).
class UserAdded(SubjectEvent):
    """A person may sign in to the web pages. Only an Argon2 hash of their
    password is kept; ``must_change`` until they choose their own."""

    STORED_NAME: ClassVar[str] = "UserAdded"
    user_id: str = Field(max_length=32)
    name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=256)
    must_change: bool = True
    expires_at: AwareDatetime | None = None
    subjects: tuple[str, ...] = ()  # a regulator's subjects (ids), if limited
    since: AwareDatetime | None = None  # a regulator's window
    until: AwareDatetime | None = None


class UserPasswordSet(SubjectEvent):
    STORED_NAME: ClassVar[str] = "UserPasswordSet"
    user_id: str = Field(max_length=32)
    password_hash: str = Field(max_length=256)


class UserDisabled(SubjectEvent):
    STORED_NAME: ClassVar[str] = "UserDisabled"
    user_id: str = Field(max_length=32)


class SignedIn(SubjectEvent):
    STORED_NAME: ClassVar[str] = "SignedIn"
    user_id: str = Field(max_length=32)


class SignInFailed(SubjectEvent):
    """A refused sign-in: of a known account (``user_id``) or of a name no
    account has (empty); never what was typed."""

    STORED_NAME: ClassVar[str] = "SignInFailed"
    user_id: str = Field(default="", max_length=32)
    locked: bool = False  # refused because the account was locked
