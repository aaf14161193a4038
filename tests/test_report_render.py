"""Renderings of the access report, built from a report model (no database)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from ledger.events import ObjectionScope, RequestType
from ledger.policy import (
    Category,
    Controller,
    Label,
    LegalBasis,
    Policy,
    Purpose,
    RetentionClass,
    RetentionRule,
    Safeguard,
    Source,
)
from projections.reports.access import (
    AccessReport,
    Disclosure,
    HeldValue,
    Party,
    PurposeEntry,
    RecipientEntry,
    RequestEntry,
    RetentionEntry,
    SourceEntry,
    SubjectEntry,
    Switch,
)
from projections.reports.render import render_html, render_json, render_markdown
from projections.reports.texts import LANGUAGES, keys, rights_texts, text

AUTHORITY_URL = "https://tietosuoja.fi"
SCRIPT = "<script>alert(1)</script>"


def _policy() -> Policy:
    def label(both: str) -> Label:
        return Label(en=both, fi=both)

    return Policy(
        controller=Controller(
            name="Fluiconnecto Oy",
            address="Itä-Päijänteentie 57, 40320 Jyväskylä",
            contact=Label(
                en="by post to Fluiconnecto Oy, Itä-Päijänteentie 57, 40320 Jyväskylä",
                fi="postitse osoitteeseen Fluiconnecto Oy, Itä-Päijänteentie 57,"
                " 40320 Jyväskylä",
            ),
            supervisory_authority=Label(
                en="Office of the Data Protection Ombudsman",
                fi="Tietosuojavaltuutetun toimisto",
            ),
            supervisory_authority_url=AUTHORITY_URL,
        ),
        retention=(
            RetentionClass(
                id="relationship",
                label=label("customer relationship + 2 years"),
                rule=RetentionRule.RELATIONSHIP,
                years=2,
                criteria=label("kept while the company is a customer, then 2 years"),
            ),
        ),
        categories=(
            Category(id="email", label=label("Email"), retention="relationship"),
        ),
        purposes=(
            Purpose(
                id="news", label=label("Newsletter"), legal_basis=LegalBasis.CONSENT
            ),
        ),
        sources=(Source(id="self", label=label("You"), from_subject=True),),
    )


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00").astimezone(UTC)


def _held(value: str | None, day: str, current: bool, lang: str) -> HeldValue:
    return HeldValue(
        category="email",
        category_label="Sähköposti" if lang == "fi" else "Email",
        value=value,
        source="self",
        source_label="Sinä" if lang == "fi" else "You",
        occurred_at=_at(day),
        rectified=False,
        current=current,
    )


def _transfer(lang: str) -> Disclosure:
    return Disclosure(
        recipient="helpdesk_us",
        recipient_name="Helpdesk Inc.",
        occurred_at=_at("2025-02-10"),
        kind="transfer",
        categories=["email"],
        category_labels=["Email"],
        purpose="support",
        purpose_label="Customer support",
        legal_basis="contract",
        reference="TICKET-7",
        country="US",
        safeguard="scc",
        safeguard_label=text("safeguard.scc", lang),
    )


def _report(lang: str = "en", number_in_year: int = 1) -> AccessReport:
    transfer = _transfer(lang)
    return AccessReport(
        language="fi" if lang == "fi" else "en",
        generated_at=_at("2025-02-14"),
        controller=Party(
            name="Fluiconnecto Oy", address="Jyväskylä", contact="dpo@x.fi"
        ),
        subject=SubjectEntry(
            id="0b6c1f7e-0000-4000-8000-000000000001",
            company="Asiakas Oy",
            business_id="1234567-8",
            status="customer",
            registered_at=_at("2024-05-01"),
            left_at=None,
        ),
        request=RequestEntry(
            request_id="REQ-1",
            type="access",
            channel="post",
            received_on=date(2025, 1, 31),
            due_on=date(2025, 2, 28),
            extended=False,
            extension_reason=None,
            extension_notified_on=None,
            status="open",
            free_of_charge=number_in_year == 1,
            number_in_year=number_in_year,
        ),
        personal_data=[
            _held(None, "2024-05-01", current=False, lang=lang),
            _held(SCRIPT, "2025-01-02", current=True, lang=lang),
        ],
        purposes=[
            PurposeEntry(
                id="news",
                label="Newsletter",
                legal_basis="consent",
                legal_basis_label=text("basis.consent", lang),
                legal_basis_dpv="eu-gdpr:A6-1-a",
            )
        ],
        consents=[
            Switch(
                name="news",
                label="Newsletter",
                active=True,
                since=_at("2024-06-01"),
                channel="web_form",
                evidence="form-42",
            )
        ],
        objections=[],
        restricted=False,
        recipients=[
            RecipientEntry(
                id="helpdesk",
                name="Helpdesk Inc.",
                type_label="Customer-support system",
                role="processor",
                country="US",
                disclosures=[transfer],
            )
        ],
        transfers=[transfer],
        retention=[
            RetentionEntry(
                category="email",
                category_label="Email",
                retention="relationship",
                retention_label="Customer relationship + 2 years",
                criteria="Kept while the company is a customer, then 2 years.",
                kept_against_erasure=False,
                legal_ground=None,
            )
        ],
        sources=[
            SourceEntry(id="self", label="You", from_subject=True, categories=["email"])
        ],
        automated_decision_making=text("automated_decision_making", lang),
        rights=rights_texts(_policy(), lang),
        supervisory_authority="Tietosuojavaltuutetun toimisto",
        supervisory_authority_url=AUTHORITY_URL,
    )


def _section(document: str, anchor: str) -> str:
    found = re.search(rf'<section id="{anchor}".*?</section>', document, re.S)
    assert found is not None, anchor
    return found.group(0)


def test_html_escapes_a_value_containing_a_script() -> None:
    """A personal value is shown as text, never run as markup."""
    document = render_html(_report())
    assert SCRIPT not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document


def test_markdown_does_not_pass_raw_html_from_a_value() -> None:
    """A value cannot smuggle raw HTML into the Markdown either."""
    assert SCRIPT not in render_markdown(_report())


def test_html_is_a_complete_printable_document() -> None:
    """The HTML stands alone: doctype, language, inline print styles, a sign-off."""
    document = render_html(_report())
    assert document.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in document
    assert "@page { size: A4" in document
    assert "<link" not in document
    assert "<script" not in document
    assert text("label.signature", "en") in _section(document, "sign-off")
    assert document.rstrip().endswith("</html>")


def test_finnish_html_is_in_finnish() -> None:
    """The Finnish report declares its language and has Finnish headings."""
    document = render_html(_report("fi"))
    assert '<html lang="fi">' in document
    assert "Vastaus tarkastuspyyntöön (tietosuoja-asetuksen 15 artikla)" in document
    assert "Henkilötietojen vastaanottajat" in document
    assert "Siirrot EU:n tai ETA:n ulkopuolelle" in document
    assert "Recipients of the personal data" not in document


def test_erased_value_shows_as_erased() -> None:
    """A value whose key was destroyed reads as erased, in every rendering."""
    for lang, erased in (("en", "(erased)"), ("fi", "(poistettu)")):
        report = _report(lang)
        for document in (render_html(report), render_markdown(report)):
            assert erased in document
            assert "None" not in document


def test_transfer_section_names_recipient_country_and_safeguard() -> None:
    """Art. 15(2): where the data went outside the EU/EEA and on what ground."""
    section = _section(render_html(_report()), "art15-2-transfers")
    assert "Helpdesk Inc." in section
    assert "<td>US</td>" in section
    assert "Standard contractual clauses" in section
    assert "Art. 46(2)(c)" in section


def test_recipients_are_named_with_every_disclosure() -> None:
    """C-154/21: the actual recipient, its role and each disclosure."""
    section = _section(render_html(_report()), "c-recipients")
    assert "Helpdesk Inc." in section
    assert "Processor" in section
    assert "TICKET-7" in section
    assert "2025-02-10" in section


def test_markdown_sections_follow_article_15_order() -> None:
    """The sections run (a) to (h), then Art. 15(2), then the sign-off."""
    document = render_markdown(_report())
    order = [
        "controller",
        "subject",
        "request",
        "purposes",
        "personal_data",
        "recipients",
        "retention",
        "rights",
        "sources",
        "automated",
        "transfers",
        "sign_off",
    ]
    positions = [document.index(f"\n## {text(f'heading.{h}', 'en')}") for h in order]
    assert positions == sorted(positions)


def test_dates_follow_the_language() -> None:
    """ISO dates in English, d.m.yyyy in Finnish."""
    assert "2025-01-31" in render_markdown(_report("en"))
    finnish = render_markdown(_report("fi"))
    assert "31.1.2025" in finnish
    assert "28.2.2025" in finnish
    assert "2025-01-31" not in finnish


def test_a_further_copy_in_the_year_may_carry_a_fee() -> None:
    """Art. 15(3): the first request of the year is free, a further one may not be."""
    assert "Free of charge" in render_markdown(_report(number_in_year=1))
    second = render_markdown(_report(number_in_year=2))
    assert "reasonable fee based on administrative costs" in second


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rights_name_the_supervisory_authority_and_deadline(lang: str) -> None:
    """The rights tell where to complain and how soon an answer is due."""
    rights = rights_texts(_policy(), lang)
    complaint = [r for r in rights if AUTHORITY_URL in r]
    assert len(complaint) == 1
    assert ("Tietosuojavaltuutetun" if lang == "fi" else "Ombudsman") in complaint[0]
    deadline = "kuukauden kuluessa" if lang == "fi" else "within one month"
    assert any(deadline in r and "12" in r for r in rights)
    assert AUTHORITY_URL in render_html(_report(lang))


def test_every_text_exists_in_both_languages() -> None:
    """No wording is missing from a translation."""
    assert keys("en") == keys("fi")
    for key in keys("en"):
        assert text(key, "en").strip()
        assert text(key, "fi").strip()


def test_every_coded_value_has_a_text() -> None:
    """Every legal basis, safeguard, objection, request and status has wording."""
    wanted = (
        [f"basis.{b.value}" for b in LegalBasis]
        + [f"safeguard.{s.value}" for s in Safeguard]
        + [f"objection.{o.value}" for o in ObjectionScope]
        + [f"request.{r.value}" for r in RequestType]
        + [f"status.{s}" for s in ("prospect", "customer", "former_customer", "left")]
    )
    for key in wanted:
        for lang in LANGUAGES:
            text(key, lang)


def test_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        text("heading.nothing", "en")


def test_json_round_trips() -> None:
    """The JSON rendering loads back into the same report."""
    report = _report()
    assert AccessReport.model_validate_json(render_json(report)) == report
