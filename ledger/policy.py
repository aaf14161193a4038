"""The processing policy: what the controller may do, as data.

A policy file (TOML) names the controller, its data categories, purposes and
their legal bases, sources, recipients, retention rules and the rules of the
data subject's rights. Commands are checked against it; reports explain it.
"""

from __future__ import annotations

import tomllib
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ledger.errors import PolicyError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "EEA_COUNTRIES",
    "Category",
    "Controller",
    "Label",
    "LegalBasis",
    "Policy",
    "Purpose",
    "Recipient",
    "RecipientRole",
    "RecipientType",
    "RetentionClass",
    "RetentionRule",
    "RightsRules",
    "Safeguard",
    "Source",
    "load_policy",
    "parse_policy",
]

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

# EU member states plus Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2;
# Greece is "GR" in ISO, "EL" in EU usage: both accepted).
EEA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IE IT LV LT LU MT NL PL PT RO SK SI "  # noqa: SIM905 - a list of codes reads better as one string
    "ES SE IS LI NO".split()
)


class LegalBasis(StrEnum):
    """Art. 6(1) legal bases used by the notice, with their DPV terms."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTEREST = "legitimate_interest"

    @property
    def dpv(self) -> str:
        return {
            LegalBasis.CONSENT: "eu-gdpr:A6-1-a",
            LegalBasis.CONTRACT: "eu-gdpr:A6-1-b",
            LegalBasis.LEGAL_OBLIGATION: "eu-gdpr:A6-1-c",
            LegalBasis.LEGITIMATE_INTEREST: "eu-gdpr:A6-1-f",
        }[self]


class Safeguard(StrEnum):
    """Art. 45/46 grounds for a transfer outside the EU/EEA."""

    SCC = "scc"
    ADEQUACY = "adequacy"
    BCR = "bcr"
    # Art. 49(1)(b): necessary for the performance of a contract with the
    # person. Kept so that old events load; a company's contact person is not
    # a party to the company's contract, so the shipped policy does not use it.
    ART49_CONTRACT = "art49_contract"
    # Art. 49(1)(c): necessary for a contract concluded in the person's
    # interest between the controller and another (e.g. the customs of the
    # destination country for an export the company ordered).
    ART49_THIRD_PARTY_CONTRACT = "art49_third_party_contract"

    @property
    def dpv(self) -> str:
        return {
            Safeguard.SCC: "eu-gdpr:A46-2-c",
            Safeguard.ADEQUACY: "eu-gdpr:A45-3",
            Safeguard.BCR: "eu-gdpr:A46-2-b",  # DPV has no A47 term
            Safeguard.ART49_CONTRACT: "eu-gdpr:A49-1-b",
            Safeguard.ART49_THIRD_PARTY_CONTRACT: "eu-gdpr:A49-1-c",
        }[self]

    @property
    def derogation(self) -> bool:
        """An Art. 49 derogation: allowed only with its necessity stated."""
        return self in (Safeguard.ART49_CONTRACT, Safeguard.ART49_THIRD_PARTY_CONTRACT)


class RecipientRole(StrEnum):
    PROCESSOR = "processor"
    CONTROLLER = "controller"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(_Model):
    """A text in the languages reports are written in."""

    en: str = Field(min_length=1)
    fi: str = Field(min_length=1)

    def in_(self, language: str) -> str:
        return self.fi if language == "fi" else self.en


class Controller(_Model):
    name: str = Field(min_length=1)
    business_id: str | None = None
    address: str = Field(min_length=1)
    country: CountryCode = "FI"
    contact: Label
    supervisory_authority: Label
    supervisory_authority_url: str
    notice_updated: date | None = None
    # Where data-protection questions and requests go (notice section 8).
    privacy_email: str | None = None
    # Who signs the answers (a role, e.g. the data protection officer).
    signer: Label | None = None
    # The data protection officer's contact (Art. 30(1)(a), Art. 37), if one
    # is designated; the Art. 30 record says when none is.
    dpo: Label | None = None


class RetentionRule(StrEnum):
    """How a retention class's clock runs (see the notice, section 4)."""

    # As long as the customer relationship lasts, then `years` more.
    RELATIONSHIP = "relationship"
    # Kirjanpitolaki 2:10 vouchers: `years` from the end of the calendar
    # year in which the financial period ended.
    ACCOUNTING_VOUCHER = "accounting_voucher"
    # Kirjanpitolaki 2:10 books and statements: `years` from the end of
    # the financial period.
    ACCOUNTING_BOOKS = "accounting_books"
    # Until the complaint or dispute is resolved.
    UNTIL_RESOLVED = "until_resolved"
    # Until the person asks for it to be removed (a marketing objection).
    UNTIL_REMOVAL_REQUESTED = "until_removal_requested"
    # Until consent is withdrawn, then `years` more as evidence.
    UNTIL_WITHDRAWN = "until_withdrawn"


class RetentionClass(_Model):
    """One data key per subject and retention class: erasure by class."""

    id: Identifier
    label: Label
    rule: RetentionRule
    years: int = Field(default=0, ge=0, le=100)
    legal_ground: Label | None = None  # why it may be kept against erasure
    keeps_against_erasure: bool = False  # Art. 17(3)(b)/(e)
    criteria: Label  # the text Art. 15(1)(d) asks for


class Category(_Model):
    id: Identifier
    label: Label
    retention: Identifier
    provided_by_subject: bool = True  # Art. 20 covers only what the person gave
    dpv: str | None = None
    # Values of these categories are looked up by blind index (e.g. email).
    lookup: bool = False
    # A format its values must have; malformed values are refused.
    format: Literal["email", "phone", "business_id"] | None = None


class Purpose(_Model):
    id: Identifier
    label: Label
    legal_basis: LegalBasis
    direct_marketing: bool = False  # an objection to direct marketing stops it
    sales_contact: bool = False  # an objection to sales contact stops it
    categories: tuple[Identifier, ...] = ()  # empty: any category
    # Art. 18(2): may go on while processing is restricted (legal claims,
    # a lawful request of an authority).
    allowed_while_restricted: bool = False
    # May go on after the person left the company they represented
    # (accounting, legal claims, a lawful request).
    allowed_after_leaving: bool = False
    # Art. 13(1)(d)/14(2)(b): the legitimate interest pursued, told the person.
    interest: Label | None = None
    dpv: str | None = None


class Source(_Model):
    id: Identifier
    label: Label
    from_subject: bool = False  # collected from the person themself
    # Made by the controller itself (its own or its group's systems), not
    # received from another party.
    derived: bool = False


class RecipientType(_Model):
    id: Identifier
    label: Label
    role: RecipientRole


class Recipient(_Model):
    """An actual recipient (C-154/21: identity, not only the category)."""

    id: Identifier
    name: str = Field(min_length=1)
    type: Identifier
    country: CountryCode
    safeguard: Safeguard | None = None
    # Why an Art. 49 derogation transfer is necessary (no Art. 46 safeguard).
    necessity: Label | None = None
    purposes: tuple[Identifier, ...] = ()  # empty: any purpose
    categories: tuple[Identifier, ...] = ()  # empty: any category


class RightsRules(_Model):
    free_access_requests_per_year: int = Field(default=1, ge=0)
    free_portability_requests_per_year: int = Field(default=1, ge=0)
    response_months: int = Field(default=1, ge=1, le=1)
    extension_months: int = Field(default=2, ge=0, le=2)
    channels: tuple[Identifier, ...] = ("post", "in_person", "customer_service")


class Policy(_Model):
    """A whole policy file, cross-checked: every reference must resolve."""

    version: Literal[1] = 1
    controller: Controller
    financial_period_end: Annotated[
        str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    ] = "12-31"
    rights: RightsRules = RightsRules()
    retention: tuple[RetentionClass, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1)
    purposes: tuple[Purpose, ...] = Field(min_length=1)
    sources: tuple[Source, ...] = Field(min_length=1)
    recipient_types: tuple[RecipientType, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    # Whose data this is (Art. 30(1)(c)), in the record of processing.
    data_subjects: Label | None = None

    @model_validator(mode="after")
    def _references_resolve(self) -> Policy:
        for name in (
            "retention",
            "categories",
            "purposes",
            "sources",
            "recipient_types",
            "recipients",
        ):
            ids = [item.id for item in getattr(self, name)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{name}: duplicate id {duplicates[0]!r}")
        for kept in self.retention:
            if kept.keeps_against_erasure and kept.legal_ground is None:
                raise ValueError(
                    f"retention.{kept.id}: keeps_against_erasure needs a legal_ground"
                )
        retention = {r.id for r in self.retention}
        categories = {c.id for c in self.categories}
        purposes = {p.id for p in self.purposes}
        types = {t.id for t in self.recipient_types}
        for c in self.categories:
            _must_name(f"categories.{c.id}.retention", c.retention, retention)
        for p in self.purposes:
            for cat in p.categories:
                _must_name(f"purposes.{p.id}.categories", cat, categories)
        for r in self.recipients:
            _must_name(f"recipients.{r.id}.type", r.type, types)
            for cat in r.categories:
                _must_name(f"recipients.{r.id}.categories", cat, categories)
            for pur in r.purposes:
                _must_name(f"recipients.{r.id}.purposes", pur, purposes)
            if r.country not in EEA_COUNTRIES and r.safeguard is None:
                raise ValueError(
                    f"recipients.{r.id}: country {r.country} is outside the "
                    "EU/EEA and names no safeguard"
                )
            if r.safeguard is not None and r.safeguard.derogation and not r.necessity:
                raise ValueError(
                    f"recipients.{r.id}: an Art. 49 derogation needs its necessity"
                )
        return self

    # Lookups used by commands and reports; ids were checked above.
    def category(self, category_id: str) -> Category:
        return _by_id(self.categories, category_id)

    def purpose(self, purpose_id: str) -> Purpose:
        return _by_id(self.purposes, purpose_id)

    def source(self, source_id: str) -> Source:
        return _by_id(self.sources, source_id)

    def recipient(self, recipient_id: str) -> Recipient:
        return _by_id(self.recipients, recipient_id)

    def recipient_type(self, type_id: str) -> RecipientType:
        return _by_id(self.recipient_types, type_id)

    def retention_class(self, retention_id: str) -> RetentionClass:
        return _by_id(self.retention, retention_id)

    def retention_of(self, category_id: str) -> RetentionClass:
        return self.retention_class(self.category(category_id).retention)


def _must_name(where: str, value: str, known: set[str]) -> None:
    if value not in known:
        raise ValueError(f"{where}: unknown id {value!r}")


_Item = TypeVar(
    "_Item", Category, Purpose, Source, Recipient, RecipientType, RetentionClass
)


def _by_id(items: tuple[_Item, ...], item_id: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file; errors name the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise PolicyError(f"{path}: cannot read policy: {err.strerror}") from err
    return parse_policy(text, str(path))


def parse_policy(text: str, origin: str) -> Policy:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{origin}: not valid TOML: {err}") from err
    try:
        return Policy.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        # Cross-reference errors name their field inside the message.
        field = ".".join(str(part) for part in first["loc"])
        where = f"{origin}: {field}" if field else origin
        raise PolicyError(f"{where}: {message}") from err
