"""The shipped policy file: it loads, it encodes the notice, and a broken
copy is refused with an error that names the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from ledger.errors import PolicyError
from ledger.policy import (
    EEA_COUNTRIES,
    LegalBasis,
    Policy,
    RecipientRole,
    Safeguard,
    load_policy,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

POLICY = Path(__file__).parent.parent / "policies" / "fluiconnecto.toml"


class HasId(Protocol):
    @property
    def id(self) -> str: ...


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def _ids(items: Iterable[HasId]) -> set[str]:
    return {item.id for item in items}


def test_shipped_policy_loads_with_the_fixed_ids(policy: Policy) -> None:
    assert policy.controller.name == "Fluiconnecto Oy"
    assert policy.controller.supervisory_authority_url == "https://tietosuoja.fi"
    assert str(policy.controller.notice_updated) == "2022-05-13"
    assert _ids(policy.retention) >= {
        "relationship",
        "accounting_voucher",
        "accounting_books",
        "dispute",
        "marketing_prohibition",
    }
    assert _ids(policy.categories) >= {
        "name",
        "title",
        "phone",
        "email",
        "billing_address",
        "delivery_address",
        "company",
        "orders",
        "customer_history",
        "complaints",
        "marketing_preferences",
        "other",
    }
    assert _ids(policy.sources) >= {
        "subject",
        "group_systems",
        "social_media",
        "company_website",
        "event_attendee_list",
        "address_update_service",
        "principal_systems",
    }
    assert policy.source("subject").from_subject
    assert policy.category("email").lookup
    assert not policy.category("customer_history").provided_by_subject
    assert policy.rights.channels == ("post", "in_person", "customer_service", "email")


def test_purposes_rest_on_the_fixed_legal_bases(policy: Policy) -> None:
    """A contact person is not party to the company's contract: no purpose
    rests on Art. 6(1)(b), and each on legitimate interest says which."""
    expected = {
        "customer_relationship": LegalBasis.LEGITIMATE_INTEREST,
        "order_delivery": LegalBasis.LEGITIMATE_INTEREST,
        "service_maintenance": LegalBasis.LEGITIMATE_INTEREST,
        "transaction_verification": LegalBasis.LEGITIMATE_INTEREST,
        "customer_service": LegalBasis.LEGITIMATE_INTEREST,
        "customer_communication": LegalBasis.LEGITIMATE_INTEREST,
        "business_interests": LegalBasis.LEGITIMATE_INTEREST,
        "invoicing_accounting": LegalBasis.LEGAL_OBLIGATION,
        "direct_marketing": LegalBasis.LEGITIMATE_INTEREST,
        "electronic_marketing": LegalBasis.LEGITIMATE_INTEREST,
        "partner_marketing": LegalBasis.CONSENT,
        "market_research": LegalBasis.LEGITIMATE_INTEREST,
        "legal_claims": LegalBasis.LEGITIMATE_INTEREST,
        "debt_collection": LegalBasis.LEGITIMATE_INTEREST,
        "lawful_request": LegalBasis.LEGAL_OBLIGATION,
        "customs_export": LegalBasis.LEGITIMATE_INTEREST,
        "group_administration": LegalBasis.LEGITIMATE_INTEREST,
        "corporate_transaction": LegalBasis.LEGITIMATE_INTEREST,
    }
    assert {p.id: p.legal_basis for p in policy.purposes} == expected
    for purpose in policy.purposes:
        if purpose.id in {"customer_relationship", "order_delivery", "customs_export"}:
            assert purpose.interest is not None
            assert "company you represent" in purpose.interest.en
    marketing = {p.id for p in policy.purposes if p.direct_marketing}
    assert marketing == {
        "direct_marketing",
        "electronic_marketing",
        "partner_marketing",
    }
    assert policy.purpose("direct_marketing").sales_contact
    assert all(p.dpv and p.dpv.startswith("dpv:") for p in policy.purposes)


def test_every_category_retention_resolves(policy: Policy) -> None:
    for category in policy.categories:
        retention = policy.retention_of(category.id)
        assert retention.criteria.fi and retention.criteria.en
    assert policy.retention_of("billing_address").id == "accounting_voucher"
    assert policy.retention_of("orders").id == "accounting_voucher"
    assert policy.retention_of("complaints").id == "dispute"
    assert policy.retention_of("marketing_preferences").id == "marketing_prohibition"
    assert policy.retention_of("email").id == "relationship"


def test_retention_clocks_match_the_accounting_act(policy: Policy) -> None:
    voucher = policy.retention_class("accounting_voucher")
    books = policy.retention_class("accounting_books")
    assert (voucher.years, books.years) == (6, 10)
    assert policy.retention_class("relationship").years == 2
    # Consent evidence is kept as log metadata; no class promises 3 years
    # of keeping for data it never held.
    assert "consent_record" not in {r.id for r in policy.retention}
    # What erasure keeps, the answer must explain: each such class says why.
    kept = [r for r in policy.retention if r.keeps_against_erasure]
    assert {r.id for r in kept} == {"accounting_voucher", "accounting_books", "dispute"}
    assert all(r.legal_ground is not None for r in kept)
    assert "2:10" in voucher.criteria.en or "section 10" in voucher.criteria.en


def test_every_recipient_outside_the_eea_names_a_safeguard(policy: Policy) -> None:
    outside = [r for r in policy.recipients if r.country not in EEA_COUNTRIES]
    assert {r.id for r in outside} >= {"customs_us", "customs_cn", "group_company_us"}
    for recipient in outside:
        assert recipient.safeguard is not None, recipient.id
    # Art. 49(1)(c), minimised, with its necessity stated: never 49(1)(b).
    for customs in ("customs_us", "customs_cn"):
        recipient = policy.recipient(customs)
        assert recipient.safeguard is Safeguard.ART49_THIRD_PARTY_CONTRACT
        assert recipient.necessity is not None
        assert not {"name", "phone"} & set(recipient.categories)
    assert policy.recipient("group_company_us").safeguard is Safeguard.SCC


def test_recipient_roles_follow_the_notice(policy: Policy) -> None:
    roles = {t.id: t.role for t in policy.recipient_types}
    processors = {k for k, v in roles.items() if v is RecipientRole.PROCESSOR}
    assert processors == {
        "email_service",
        "storage_service",
        "website_hosting",
        "digital_workspace",
        "email_marketing_platform",
        "customer_support_system",
    }
    assert policy.recipient("marketing_partner").purposes == ("partner_marketing",)
    assert policy.recipient("debt_collector").purposes == ("debt_collection",)


def _broken_copy(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text(POLICY.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_unknown_category_reference_names_file_and_field(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        '\n[[purposes]]\nid = "shoe_fitting"\nlegal_basis = "contract"\n'
        'label = { fi = "Kengän sovitus", en = "Shoe fitting" }\n'
        'categories = ["name", "shoe_size"]\n',
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert str(path) in message
    assert "purposes.shoe_fitting.categories" in message
    assert "shoe_size" in message


def test_non_eea_recipient_without_safeguard_is_refused(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path,
        '\n[[recipients]]\nid = "reseller_jp"\nname = "Ryutai K.K."\n'
        'type = "group_company"\ncountry = "JP"\n',
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert str(path) in message
    assert "recipients.reseller_jp" in message
    assert "safeguard" in message


def test_missing_finnish_label_names_file_and_field(tmp_path: Path) -> None:
    index = len(load_policy(POLICY).categories)
    path = _broken_copy(
        tmp_path,
        '\n[[categories]]\nid = "shoe_size"\nretention = "relationship"\n'
        'label = { en = "Shoe size" }\n',
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"categories.{index}.label.fi" in message
    assert "required" in message.lower()
