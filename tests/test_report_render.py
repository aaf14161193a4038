"""Renderings of the access report, built from a report model (no database)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest

from ledger.events import ObjectionScope, RequestType
from ledger.policy import (
    EEA_COUNTRIES,
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
    ErasureEntry,
    HeldValue,
    KeptEntry,
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


def _with(report: AccessReport, **changes: object) -> AccessReport:
    return report.model_copy(update=changes)


def _extended(lang: str) -> AccessReport:
    report = _report(lang)
    assert report.request is not None
    request = report.request.model_copy(
        update={
            "extended": True,
            "extension_reason": "Many requests at once",
            "extension_notified_on": date(2025, 2, 20),
        }
    )
    return _with(report, request=request)


def _kept(category: str, label: str, ground: str | None) -> RetentionEntry:
    return RetentionEntry(
        category=category,
        category_label=label,
        retention="accounting",
        retention_label="Accounting vouchers",
        criteria="Six years from the end of the financial year.",
        kept_against_erasure=ground is not None,
        legal_ground=ground,
    )


def _rows(section: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", section, re.S)


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
    assert "Siirrot EU:n ja ETA:n ulkopuolelle" in document
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
    assert "<td>United States</td>" in section
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
    assert "reasonable fee based on our administrative costs" in second


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


GROUND = "Accounting Act, chapter 2, section 10 (GDPR Art. 17(3)(b))"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_retention_says_what_is_kept_against_erasure_and_why(lang: str) -> None:
    """Art. 17(3): where erasure does not reach a category, the ground is named."""
    kept = _kept("billing_address", "Billing address", GROUND)
    report = _with(_report(lang), retention=[*_report(lang).retention, kept])
    section = _section(render_html(report), "d-retention")
    row = next(r for r in _rows(section) if "Billing address" in r)
    sentence = text("label.kept_against_erasure", lang).format(ground=GROUND)
    assert sentence in row
    other = next(r for r in _rows(section) if "Email" in r)
    assert sentence.split(".")[0] not in other
    assert sentence in render_markdown(report)


def test_retention_shows_each_period_once_with_all_its_categories() -> None:
    """Categories kept alike share one row: the criteria are not repeated."""
    entries = [
        _kept("billing_address", "Billing address", GROUND),
        _kept("orders", "Orders", GROUND),
    ]
    section = _section(render_html(_with(_report(), retention=entries)), "d-retention")
    assert section.count("Six years from the end") == 1
    assert "<li>Billing address</li><li>Orders</li>" in section


@pytest.mark.parametrize(
    ("lang", "notified"), [("en", "2025-02-20"), ("fi", "20.2.2025")]
)
def test_an_extended_request_shows_when_the_person_was_told(
    lang: str, notified: str
) -> None:
    """Art. 12(3): the reason for the extension and the day it was notified."""
    label = text("label.extension_notified_on", lang)
    section = _section(render_html(_extended(lang)), "request")
    assert f'<th scope="row">{label}</th><td>{notified}</td>' in section
    assert "Many requests at once" in section
    assert label not in render_html(_report(lang))


def test_sources_mark_what_the_person_gave_themself() -> None:
    """(g): the person's own data is told apart from data obtained elsewhere."""
    sources = [
        SourceEntry(id="self", label="You", from_subject=True, categories=["email"]),
        SourceEntry(
            id="fair", label="Trade fair list", from_subject=False, categories=["email"]
        ),
    ]
    section = _section(render_html(_with(_report(), sources=sources)), "g-sources")
    own = next(r for r in _rows(section) if "<td>You</td>" in r)
    other = next(r for r in _rows(section) if "Trade fair list" in r)
    assert text("label.by_you", "en") in own
    assert text("label.by_other", "en") in other
    assert text("label.by_you", "en") not in other


def test_category_lists_are_never_joined_with_commas() -> None:
    """A category label may itself hold commas: each is its own item."""
    company = "Name, business ID and contact details of the company"
    transfer = _transfer("en").model_copy(update={"category_labels": ["Name", company]})
    report = _with(_report(), transfers=[transfer])
    section = _section(render_html(report), "art15-2-transfers")
    assert f"<li>Name</li><li>{company}</li>" in section
    assert f"Name; {company}" in render_markdown(report)


def test_each_value_is_shown_once_and_an_earlier_one_with_its_replacement() -> None:
    """Current data, then earlier values with the day each was replaced."""
    section = _section(render_html(_report()), "b-personal-data")
    assert section.count("&lt;script&gt;") == 1
    earlier = next(r for r in _rows(section) if "(erased)" in r)
    assert '<td class="date">2024-05-01</td><td class="date">2025-01-02</td>' in earlier


def test_dates_are_marked_never_to_break() -> None:
    """Dates sit in columns that keep them on one line (2025-02-10, not 2025-/02-)."""
    document = render_html(_report())
    assert '<td class="date">2025-02-10</td>' in _section(document, "c-recipients")
    assert "white-space: nowrap" in document
    assert "anywhere" not in document


def test_the_subject_is_named_when_a_name_is_held() -> None:
    name = HeldValue(
        category="name",
        category_label="Name",
        value="Aino <Virtanen>",
        source="self",
        source_label="You",
        occurred_at=_at("2024-05-01"),
        rectified=False,
        current=True,
    )
    report = _with(_report(), personal_data=[name, *_report().personal_data])
    section = _section(render_html(report), "subject")
    assert '<th scope="row">Name</th><td>Aino &lt;Virtanen&gt;</td>' in section


def test_the_subject_section_has_no_name_row_without_a_name() -> None:
    section = _section(render_html(_report()), "subject")
    assert '<th scope="row">Name</th>' not in section


def test_every_page_is_numbered_and_a_value_cannot_leave_the_style() -> None:
    """The printed foot of each page names the request; the request id is
    written as a CSS string that cannot close the style element."""
    report = _report()
    assert report.request is not None
    hostile = report.request.model_copy(
        update={"request_id": '"; } </style><script>alert(1)</script>'}
    )
    document = render_html(_with(report, request=hostile))
    assert "counter(page)" in document
    assert "counter(pages)" in document
    assert "<script" not in document
    assert document.count("</style>") == 1


def test_recipient_is_printed_together_with_its_disclosures() -> None:
    section = _section(render_html(_report()), "c-recipients")
    assert '<div class="keep"><h3>Helpdesk Inc.</h3>' in section


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_off_names_the_controller(lang: str) -> None:
    section = _section(render_html(_report(lang)), "sign-off")
    assert "Fluiconnecto Oy" in section


@pytest.mark.parametrize(
    ("lang", "moment"),
    [("en", "2025-02-14 at 12:00 (Finnish time)"), ("fi", "14.2.2025 klo 12.00")],
)
def test_the_footer_gives_the_local_time_readably(lang: str, moment: str) -> None:
    assert moment in render_html(_report(lang))


def test_a_country_without_a_name_is_shown_by_its_code() -> None:
    transfer = _transfer("en").model_copy(update={"country": "XK"})
    section = _section(
        render_html(_with(_report(), transfers=[transfer])), "art15-2-transfers"
    )
    assert "<td>XK</td>" in section


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_eea_country_has_a_name(lang: str) -> None:
    for code in EEA_COUNTRIES:
        assert text(f"country.{code}", lang) != code


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_right_opens_with_its_name_in_bold(lang: str) -> None:
    """The rights can be scanned by name; the wording itself is unchanged."""
    report = _report(lang)
    section = _section(render_html(report), "ef-rights")
    markdown = render_markdown(report)
    for right in report.rights:
        title, _, rest = right.partition(": ")
        assert f"<li><strong>{title}:</strong> {html.escape(rest)}</li>" in section
        assert f"- **{title}:** " in markdown


def test_an_erasure_says_what_went_and_what_the_law_kept_until_when() -> None:
    erasure = ErasureEntry(
        occurred_at=_at("2025-11-20"),
        kind="erasure",
        request_id="R-E1",
        destroyed_labels=["Email", "Name"],
        kept=[
            KeptEntry(
                retention="accounting_voucher",
                retention_label="Accounting vouchers",
                category_labels=["Billing address"],
                ground="Kirjanpitolaki 2:10",
                until=date(2031, 12, 31),
            )
        ],
    )
    english = render_markdown(_report("en").model_copy(update={"erasures": [erasure]}))
    assert "Erased: Email; Name." in english
    assert "R-E1" in english and "2031-12-31" in english
    finnish = render_html(_report("fi").model_copy(update={"erasures": [erasure]}))
    assert "Poistetut tiedot: Email; Name." in finnish
    assert "31.12.2031" in finnish
