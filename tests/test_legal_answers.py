"""Answers a data-protection lawyer signs (issue 10): each rule is checked on
what the person receives — the JSON, and the Finnish and English texts —
on both backends."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from commands.models import parse_command
from ledger.errors import InvalidCommand
from projections.reports.access import (
    AccessReport,
    IntegrityEntry,
    build_access_report,
)
from projections.reports.export import build_export
from projections.reports.render import render_html, render_json, render_markdown

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.handlers import Outcome
    from commands.service import Kirjuri

EMAIL = "aino.virtanen@esimerkki.fi"
ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "fluiconnecto.toml"
EXAMPLES = ROOT / "examples"
HELSINKI = ZoneInfo("Europe/Helsinki")


def run(kirjuri: Kirjuri, **data: Any) -> Outcome:
    return kirjuri.execute(parse_command(data))


def register(kirjuri: Kirjuri, email: str = EMAIL) -> None:
    run(
        kirjuri,
        kind="register",
        company="Konepaja Virtanen Oy",
        business_id="2345678-0",
        name="Aino Virtanen",
        email=email,
        phone="+358 40 123 4567",
        source="subject",
        at="2025-01-10",
    )


def answers(kirjuri: Kirjuri, email: str = EMAIL) -> dict[str, Any]:
    """The report as JSON, and the rendered texts in both languages."""
    subject = kirjuri.resolve(email)
    en = build_access_report(kirjuri.ledger, subject, "en")
    fi = build_access_report(kirjuri.ledger, subject, "fi")
    return {
        "json": json.loads(render_json(en)),
        "en": render_markdown(en),
        "fi": render_markdown(fi),
        "html_en": render_html(en),
        "html_fi": render_html(fi),
        "report_en": en,
        "report_fi": fi,
    }


def _local_day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(HELSINKI).date().isoformat()


def line_of(text: str, *needles: str) -> str:
    """The one rendered line holding every needle (a table row)."""
    lines = [line for line in text.splitlines() if all(n in line for n in needles)]
    assert len(lines) == 1, (needles, lines)
    return lines[0]


def test_contact_person_rests_on_legitimate_interest_not_on_the_company_contract(
    kirjuri: Kirjuri,
) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="collect",
        subject=EMAIL,
        category="delivery_address",
        value="Varastokatu 3, 40320 Jyväskylä",
        source="subject",
        purposes=["order_delivery"],
        at="2025-01-15",
    )
    customs = run(
        kirjuri,
        kind="disclose",
        subject=EMAIL,
        recipient="customs_us",
        categories=["company", "delivery_address"],
        purpose="customs_export",
        reference="10057",
        at="2025-04-03",
    )
    assert customs.findings == []
    out = answers(kirjuri)
    purposes = {p["id"]: p for p in out["json"]["purposes"]}
    delivery = purposes["order_delivery"]
    assert delivery["legal_basis"] == "legitimate_interest"
    assert delivery["legal_basis_dpv"] == "eu-gdpr:A6-1-f"
    assert "company you represent" in delivery["interest"]
    (transfer,) = out["json"]["transfers"]
    assert transfer["safeguard"] == "art49_third_party_contract"
    assert "standard contractual clauses" in transfer["necessity"]
    for lang, words in (
        ("en", ("company you represent", "Art. 49(1)(c)")),
        ("fi", ("edustamasi yrityksen", "49 artiklan 1 kohdan c alakohta")),
    ):
        assert all(w in out[lang] for w in words), lang
        # Art. 6(1)(b) and 49(1)(b) are never a contact person's ground.
        assert "6(1)(b)" not in out[lang] and "49(1)(b)" not in out[lang]
        assert "6 artiklan 1 kohdan b" not in out[lang]
        assert "49 artiklan 1 kohdan b" not in out[lang]
    export = build_export(kirjuri.ledger, kirjuri.resolve(EMAIL))
    assert "voluntarily" not in export.legal_note  # says "anyway ... promises"
    assert "legitimate interest" in export.legal_note
    assert "section 7" in export.legal_note
    provided = {d["category"]: d for d in export.data}
    assert provided["delivery_address"]["under_article_20"] is False


def test_a_row_that_raised_a_finding_states_the_finding_never_a_basis(
    kirjuri: Kirjuri,
) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="consent",
        subject=EMAIL,
        purpose="partner_marketing",
        channel="web_form",
        evidence="consent-form-001",
        at="2025-02-10",
    )
    run(
        kirjuri,
        kind="withdraw-consent",
        subject=EMAIL,
        purpose="partner_marketing",
        channel="unsubscribe_link",
        at="2025-06-15",
    )
    run(
        kirjuri,
        kind="disclose",
        subject=EMAIL,
        recipient="marketing_partner",
        categories=["name", "email", "company"],
        purpose="partner_marketing",
        at="2025-06-20",
    )
    run(
        kirjuri,
        kind="object",
        subject=EMAIL,
        scope="direct_marketing",
        channel="email",
        at="2025-03-03",
    )
    run(
        kirjuri,
        kind="process",
        subject=EMAIL,
        purpose="electronic_marketing",
        categories=["name", "email"],
        activity="newsletter_sent",
        recipient="email_marketing_platform",
        at="2025-03-10",
    )
    out = answers(kirjuri)
    recipients = {r["id"]: r for r in out["json"]["recipients"]}
    (after,) = recipients["marketing_partner"]["disclosures"]
    assert after["legal_basis"] is None
    assert after["recorded_legal_basis"] == "consent"
    assert [f["rule"] for f in after["findings"]] == [
        "consent_required",
        "breach_assessment",
    ]
    assert all(f["detail"] for f in after["findings"])
    # One row per sending: the newsletter is one transfer row, not two.
    (newsletter,) = recipients["email_marketing_platform"]["disclosures"]
    assert newsletter["kind"] == "transfer"
    assert newsletter["legal_basis"] is None
    assert newsletter["findings"][0]["rule"] == "direct_marketing_objection"
    en = line_of(out["en"], "2025-06-20")
    assert "Made after you withdrew your consent; recorded as a breach" in en
    assert "Art. 33" in en
    assert "Consent (GDPR Art. 6(1)(a))" not in en
    news_en = line_of(out["en"], "2025-03-10", "Mailmeadow")
    assert "Legitimate interests" not in news_en
    fi = line_of(out["fi"], "20.6.2025")
    assert "peruuttanut suostumuksesi; kirjattu" in fi
    assert "Suostumus (tietosuoja-asetuksen" not in fi
    assert "kieltänyt suoramarkkinoinnin" in out["fi"]


def test_every_recipient_is_named_standing_processors_and_future_ones_too(
    kirjuri: Kirjuri,
) -> None:
    """Art. 15(1)(c) and 15(2): processors holding every contact's data are
    named from the policy, the non-EEA ones with their safeguard."""
    register(kirjuri)
    out = answers(kirjuri)
    standing = {r["id"]: r for r in out["json"]["recipients"] if r["standing"]}
    assert set(standing) == {
        "crm_storage",
        "email_service",
        "website_hosting",
        "digital_workspace",
    }
    (abroad,) = out["json"]["standing_transfers"]
    assert (abroad["name"], abroad["country"], abroad["safeguard"]) == (
        "Teamloft Inc.",
        "US",
        "scc",
    )
    possible = {p["type"]: p for p in out["json"]["possible_recipients"]}
    assert "Saatavahallinta Lindqvist Oy" in possible["debt_collector"]["names"]
    assert "new_owner" in possible  # a category, no name yet
    for lang, heading in (
        ("en", "Recipients to whom your data may be disclosed"),
        ("fi", "Vastaanottajat, joille tietojasi voidaan luovuttaa"),
    ):
        text = out[lang]
        assert "Datavarmo Oy" in text and "Emerald Mail Services Ltd" in text
        assert heading in text
        assert "Teamloft Inc." in text.split("(Art. 15(2))")[-1] or (
            "Teamloft Inc." in text.split("(15 artiklan 2 kohta)")[-1]
        )
    assert "Your personal data has not been transferred" not in out["en"]


def test_the_copy_holds_each_consent_and_objection_timeline(kirjuri: Kirjuri) -> None:
    """Art. 15(3), C-487/21: given, withdrawn, lifted — date, channel, evidence."""
    register(kirjuri)
    for kind, at, channel, evidence in (
        ("consent", "2025-02-10", "web_form", "consent-form-001"),
        ("withdraw-consent", "2025-06-15", "unsubscribe_link", None),
        ("consent", "2025-09-01", "email", "consent-mail-77"),
    ):
        run(
            kirjuri,
            kind=kind,
            subject=EMAIL,
            purpose="partner_marketing",
            channel=channel,
            at=at,
            **({"evidence": evidence} if evidence else {}),
        )
    for kind, at in (("object", "2025-03-03"), ("lift-objection", "2025-04-01")):
        run(
            kirjuri,
            kind=kind,
            subject=EMAIL,
            scope="sales_contact",
            channel="customer_service",
            at=at,
        )
    out = answers(kirjuri)
    (consent,) = out["json"]["consents"]
    steps = [
        (h["active"], _local_day(h["occurred_at"]), h["channel"], h["evidence"])
        for h in consent["history"]
    ]
    assert steps == [
        (True, "2025-02-10", "web_form", "consent-form-001"),
        (False, "2025-06-15", "unsubscribe_link", None),
        (True, "2025-09-01", "email", "consent-mail-77"),
    ]
    (objection,) = out["json"]["objections"]
    assert [h["active"] for h in objection["history"]] == [True, False]
    assert "consent-form-001" in line_of(out["en"], "2025-02-10", "Given or made")
    assert "Unsubscribe link" in line_of(out["en"], "2025-06-15", "Withdrawn or")
    assert "The full record of your consents and objections" in out["en"]
    assert "consent-form-001" in line_of(out["fi"], "10.2.2025", "Annettu tai")
    assert "Peruutuslinkki" in line_of(out["fi"], "15.6.2025", "Peruutettu tai")
    assert "Suostumustesi ja kieltojesi koko historia" in out["fi"]


def test_a_transfer_with_no_safeguard_is_a_recorded_breach(kirjuri: Kirjuri) -> None:
    """Chapter V: recorded with no safeguard, shown as a breach, not lost."""
    register(kirjuri)
    outcome = run(
        kirjuri,
        kind="transfer",
        subject=EMAIL,
        recipient="delivery_partner",
        country="IN",
        categories=["name", "delivery_address"],
        purpose="order_delivery",
        at="2025-05-05",
    )
    assert "no_safeguard" in [f.rule for f in outcome.findings]
    out = answers(kirjuri)
    (transfer,) = out["json"]["transfers"]
    assert (transfer["country"], transfer["safeguard"]) == ("IN", None)
    assert transfer["safeguard_label"].startswith("No safeguard")
    assert "no_safeguard" in [f["rule"] for f in transfer["findings"]]
    assert "No safeguard — recorded as a breach" in line_of(out["en"], "India")
    assert "Ei suojatoimia — kirjattu" in line_of(out["fi"], "Intia")


@pytest.mark.parametrize(
    ("recipient", "country", "field"),
    [("nobody", "IN", "recipient"), ("delivery_partner", "XX", "country")],
)
def test_a_malformed_transfer_is_still_refused(
    kirjuri: Kirjuri, recipient: str, country: str, field: str
) -> None:
    """An unknown recipient or country code is malformed input: refused."""
    register(kirjuri)
    head = kirjuri.ledger.head()
    with pytest.raises(InvalidCommand) as caught:
        run(
            kirjuri,
            kind="transfer",
            subject=EMAIL,
            recipient=recipient,
            country=country,
            categories=["name"],
            purpose="order_delivery",
        )
    assert caught.value.field == field
    assert kirjuri.ledger.head() == head


def _request(kirjuri: Kirjuri, rid: str, kind: str, received: str) -> None:
    run(
        kirjuri,
        kind="request",
        subject=EMAIL,
        type=kind,
        channel="post",
        received_on=received,
        request_id=rid,
        at=received if rid != "R-LATE" else "2025-03-20",
    )


def _fee(kirjuri: Kirjuri, rid: str, lang: str) -> tuple[AccessReport, str]:
    subject = kirjuri.resolve(EMAIL)
    report = build_access_report(kirjuri.ledger, subject, lang, rid)  # type: ignore[arg-type]
    return report, render_markdown(report)


def test_only_a_further_access_copy_has_a_fee_and_first_means_first_received(
    kirjuri: Kirjuri,
) -> None:
    """Art. 15(3) and 12(5): portability is free; numbering follows the day a
    request was received, also when it is recorded late."""
    register(kirjuri)
    _request(kirjuri, "R-MARCH", "access", "2025-03-01")
    _request(kirjuri, "R-LATE", "access", "2025-01-15")  # recorded later
    _request(kirjuri, "R-P1", "portability", "2025-02-01")
    _request(kirjuri, "R-P2", "portability", "2025-04-01")
    first, first_en = _fee(kirjuri, "R-LATE", "en")
    assert (first.request.number_in_year, first.request.free_of_charge) == (1, True)
    assert "Free of charge" in first_en
    second, second_en = _fee(kirjuri, "R-MARCH", "en")
    assert second.request is not None
    assert (second.request.number_in_year, second.request.free_of_charge) == (2, False)
    assert "We tell you the amount before" in second_en
    assert "incomplete is free" in second_en
    _, second_fi = _fee(kirjuri, "R-MARCH", "fi")
    assert "Kerromme maksun määrän ennen" in second_fi
    assert "puutteellisuuden vuoksi, on maksuton" in second_fi
    portability, portability_en = _fee(kirjuri, "R-P2", "en")
    assert portability.request is not None
    assert portability.request.number_in_year == 2
    assert portability.request.free_of_charge is True
    assert "manifestly unfounded or excessive" in portability_en
    _, portability_fi = _fee(kirjuri, "R-P2", "fi")
    assert "ilmeisen perusteeton tai kohtuuton" in portability_fi


def _retention(out: dict[str, Any], category: str) -> dict[str, Any]:
    rows = {r["category"]: r for r in out["json"]["retention"]}
    return rows[category]


def test_retention_periods_are_dates_where_they_are_known(kirjuri: Kirjuri) -> None:
    """Art. 15(1)(d): an invoice of 15.3.2025 is kept until 31.12.2031; the
    criteria only where no date exists; the accounting clocks told once."""
    register(kirjuri)
    run(kirjuri, kind="start-relationship", subject=EMAIL, at="2025-01-15")
    run(
        kirjuri,
        kind="collect",
        subject=EMAIL,
        category="orders",
        value="Order 10023: 40 hose assemblies",
        source="subject",
        purposes=["invoicing_accounting"],
        at="2025-03-15",
    )
    out = answers(kirjuri)
    assert _retention(out, "orders")["until"] == "2031-12-31"
    assert _retention(out, "email")["until"] is None  # while a customer
    assert "Kept until 2031-12-31." in line_of(out["en"], "Invoices and other")
    assert "Säilytetään 31.12.2031 asti." in line_of(out["fi"], "Laskut ja muut")
    assert "at least for the term of the contract" in out["en"]
    assert out["en"].count("Accounting Act (chapter 2, section 10): invoices") == 1
    assert out["fi"].count("kirjanpitolain 2 luvun 10 §:ään") == 1


@pytest.mark.usefixtures("years_later")
def test_vouchers_are_destroyed_the_day_after_their_last_kept_day(
    kirjuri: Kirjuri,
) -> None:
    """Kept through 31.12.2031 means destroyed on 1.1.2032, not on 31.12."""
    register(kirjuri)
    run(
        kirjuri,
        kind="collect",
        subject=EMAIL,
        category="billing_address",
        value="Teollisuustie 12, 40320 Jyväskylä",
        source="subject",
        purposes=["invoicing_accounting"],
        at="2025-03-15",
    )
    run(kirjuri, kind="erase", subject=EMAIL, at="2025-11-20")
    last_day = datetime(2031, 12, 31, 23, 59, tzinfo=HELSINKI)
    assert kirjuri.sweep(last_day, dry_run=False) == []
    (done,) = kirjuri.sweep(datetime(2032, 1, 1, 9, tzinfo=HELSINKI), dry_run=False)
    assert (done.destroyed, done.due) == ("accounting_voucher", "2031-12-31")


def test_after_leaving_the_company_only_accounting_and_claims_go_on(
    kirjuri: Kirjuri,
) -> None:
    """Any processing after `left` but accounting and legal claims is a
    finding, and the person's tail runs from the leaving date even while
    the company stays a customer."""
    register(kirjuri)
    run(kirjuri, kind="start-relationship", subject=EMAIL, at="2025-01-15")
    run(kirjuri, kind="left", subject=EMAIL, at="2025-08-31")
    shared = run(
        kirjuri,
        kind="disclose",
        subject=EMAIL,
        recipient="group_company_se",
        categories=["name", "email"],
        purpose="customer_relationship",
        at="2025-09-10",
    )
    assert [f.rule for f in shared.findings] == ["left_company", "breach_assessment"]
    billed = run(
        kirjuri,
        kind="disclose",
        subject=EMAIL,
        recipient="debt_collector",
        categories=["name", "company"],
        purpose="debt_collection",
        at="2025-09-20",
    )
    assert billed.findings == []
    out = answers(kirjuri)
    assert _retention(out, "email")["until"] == "2027-08-31"
    assert "Made after you had left the company" in line_of(out["en"], "2025-09-10")
    assert "lopettanut edustamassasi yrityksessä" in line_of(out["fi"], "10.9.2025")
    assert "Kept until 2027-08-31." in out["en"]


def test_exercising_rights_does_not_extend_retention(kirjuri: Kirjuri) -> None:
    """Requests, objections, restrictions and rectifications (Art. 16: a
    correction, not new data) do not restart the clock."""
    register(kirjuri)  # a prospect, first and last met on 10.1.2025
    before = _retention(answers(kirjuri), "email")["until"]
    assert before == "2027-01-10"
    _request(kirjuri, "R-1", "access", "2025-06-01")
    run(
        kirjuri,
        kind="rectify",
        subject=EMAIL,
        category="email",
        value="aino.virtanen@esimerkki.fi",
        at="2025-06-15",
    )
    for kind, more in (
        ("object", {"scope": "direct_marketing", "channel": "email"}),
        ("restrict", {"ground": "accuracy_contested"}),
        ("lift-restriction", {}),
    ):
        run(kirjuri, kind=kind, subject=EMAIL, at="2025-07-01", **more)
    out = answers(kirjuri)
    assert _retention(out, "email")["until"] == before
    assert "Kept until 2027-01-10." in out["en"]
    assert "Säilytetään 10.1.2027 asti." in out["fi"]


def _erased_subject(kirjuri: Kirjuri) -> dict[str, Any]:
    register(kirjuri)
    run(
        kirjuri,
        kind="collect",
        subject=EMAIL,
        category="billing_address",
        value="Teollisuustie 12, 40320 Jyväskylä",
        source="subject",
        purposes=["invoicing_accounting"],
        at="2025-03-15",
    )
    run(
        kirjuri,
        kind="disclose",
        subject=EMAIL,
        recipient="debt_collector",
        categories=["name", "billing_address"],
        purpose="debt_collection",
        at="2025-09-30",
    )
    run(
        kirjuri,
        kind="object",
        subject=EMAIL,
        scope="direct_marketing",
        channel="email",
        at="2025-10-01",
    )
    _request(kirjuri, "R-ERASE", "erasure", "2025-11-01")
    subject = kirjuri.resolve(EMAIL)
    run(kirjuri, kind="erase", subject=str(subject), request_id="R-ERASE")
    out = {}
    for lang in ("en", "fi"):
        report = build_access_report(kirjuri.ledger, subject, lang, "R-ERASE")
        out[lang] = render_markdown(report)
        out[f"json_{lang}"] = json.loads(render_json(report))
    return out


def test_the_erasure_answer_tells_what_stays_and_who_is_told(
    kirjuri: Kirjuri,
) -> None:
    """Art. 17(3) and 19: only categories held are listed as erased; kept
    grounds in the answer's language; the name on kept invoices, the
    objection kept as a keyed hash, the log's metadata, the recipients told."""
    out = _erased_subject(kirjuri)
    (erasure,) = out["json_fi"]["erasures"]
    assert "Muu sähköinen yhteystieto" not in erasure["destroyed_labels"]  # never held
    assert "Nimi" in erasure["destroyed_labels"]
    (kept,) = [k for k in erasure["kept"] if k["retention"] == "accounting_voucher"]
    assert kept["ground"].startswith("Lakisääteinen kirjanpitovelvoite")
    assert kept["documents_carry_name"] is True
    assert erasure["objections_kept"] == [
        "Suoramarkkinointikielto (tietosuoja-asetuksen 21 artiklan 2 kohta)"
    ]
    en, fi = out["en"], out["fi"]
    assert "Statutory accounting obligation" not in fi  # no English in Finnish
    assert "may still carry your name" in en and "2031-12-31" in en
    assert "voi yhä olla nimesi" in fi and "31.12.2031" in fi
    assert "keyed hash" in en and "You can ask us to remove it too" in en
    assert "avaimellisen tiivisteen" in fi
    assert "dates, purposes, legal bases, recipients and references" in en
    assert "Käsittelylokiimme jäävät" in fi
    assert "of the erasure (GDPR Art. 19): Saatavahallinta Lindqvist Oy" in en
    assert "Ilmoitamme poistosta kaikille" in fi


def test_an_answer_is_titled_after_its_request_and_a_refusal_gives_remedies(
    kirjuri: Kirjuri,
) -> None:
    """Art. 12(4): the recorded reason, a complaint (Art. 77) and a court
    (Art. 79); an erasure answer is not an "access request response"."""
    register(kirjuri)
    _request(kirjuri, "R-REF", "erasure", "2025-11-01")
    run(
        kirjuri,
        kind="refuse-request",
        request_id="R-REF",
        reason="Invoices must be kept under the Accounting Act",
        at="2025-11-10",
    )
    _request(kirjuri, "R-OPEN", "access", "2025-11-02")
    subject = kirjuri.resolve(EMAIL)
    texts = {}
    for lang in ("en", "fi"):
        report = build_access_report(kirjuri.ledger, subject, lang, "R-REF")
        data = json.loads(render_json(report))
        assert data["request"]["status"] == "refused"
        assert data["request"]["refusal_reason"].startswith("Invoices must be kept")
        texts[lang] = render_markdown(report)
    en, fi = texts["en"], texts["fi"]
    assert "\n# Answer to your erasure request (GDPR Art. 17)\n" in en
    assert "Access request response" not in en
    assert "\n# Vastaus tietojen poistamista koskevaan pyyntöön" in fi
    assert "Invoices must be kept under the Accounting Act" in en
    assert "GDPR Art. 77" in en and "GDPR Art. 79" in en
    assert "77 artikla" in fi and "79 artikla" in fi
    open_en = render_markdown(build_access_report(kirjuri.ledger, subject, "en"))
    assert "Answered by this letter" in open_en and "Being processed" not in open_en
    open_fi = render_markdown(build_access_report(kirjuri.ledger, subject, "fi"))
    assert "Vastattu tällä kirjeellä" in open_fi and "Käsittelyssä" not in open_fi


def test_a_finnish_answer_speaks_finnish_terms(kirjuri: Kirjuri) -> None:
    """ "Kirjanpito" is statutory bookkeeping, not the processing log."""
    register(kirjuri)
    subject = kirjuri.resolve(EMAIL)
    report = build_access_report(kirjuri.ledger, subject, "fi")
    report = report.model_copy(
        update={
            "integrity": IntegrityEntry(
                origin="kirjuri.example/log",
                tree_size=12,
                root="ab" * 32,
                issued_at=datetime(2025, 11, 3, 10, tzinfo=HELSINKI),
                public_key="cd" * 32,
                subject_events=4,
            )
        }
    )
    fi = render_markdown(report)
    assert "Käsittelyloki" in fi and "**Kirjanpito:**" not in fi
    assert "käsittelykirjanpito" not in fi
    assert "EU:n ja ETA:n ulkopuolelle" in fi and "EU:n tai ETA:n" not in fi
    assert "Säilytysryhmä" in fi and "Säilytetään osana" not in fi
    for english in ("Statutory", "Finnish Accounting Act", "legal hold"):
        assert english not in fi


def test_the_answer_reads_as_a_letter_with_the_integrity_as_an_appendix(
    kirjuri: Kirjuri,
) -> None:
    """Date, addressee (also after an erasure), the request answered, the
    contact, the signer; the integrity proof after the signature."""
    register(kirjuri)
    _request(kirjuri, "R-1", "access", "2025-11-03")
    out = answers(kirjuri)
    en, fi = out["en"], out["fi"]
    assert en.index("**To:** Aino Virtanen, Konepaja Virtanen Oy") < en.index("# ")
    assert "**Regarding:** Access request (GDPR Art. 15), R-1, received on" in en
    assert "**Vastaanottaja:** Aino Virtanen, Konepaja Virtanen Oy" in fi
    assert "**Asia:** Tarkastuspyyntö (tietosuoja-asetuksen 15 artikla), R-1" in fi
    assert "**Päiväys:**" in fi and "**Date:**" in en
    assert "privacy notice last updated on 2022-05-13" in en
    assert "päivitetty viimeksi 13.5.2022" in fi
    assert "The person responsible for data protection at Fluiconnecto" in en
    assert en.index("## Approval and signature") < en.index("## Appendix: how you")
    assert fi.index("## Hyväksyntä ja allekirjoitus") < fi.index("## Liite: miten")
    assert '<table class="fields letter">' in out["html_fi"]
    assert out["json"]["controller"]["signer"].startswith("The person responsible")
    # After an erasure: what the law kept addresses the letter.
    subject = kirjuri.resolve(EMAIL)
    run(
        kirjuri,
        kind="collect",
        subject=EMAIL,
        category="billing_address",
        value="Teollisuustie 12, 40320 Jyväskylä",
        source="subject",
        purposes=["invoicing_accounting"],
        at="2025-03-15",
    )
    run(kirjuri, kind="erase", subject=str(subject), at="2025-11-20")
    erased = render_markdown(build_access_report(kirjuri.ledger, subject, "en"))
    assert "**To:** Teollisuustie 12, 40320 Jyväskylä" in erased


def demo_year(cli: Callable[..., tuple[int, str, str]]) -> None:
    for args in (
        ("init", "--policy", POLICY),
        ("import", EXAMPLES / "crm-contacts.csv", "--source", "event_attendee_list"),
        ("apply", EXAMPLES / "year-2025.jsonl"),
    ):
        code, _, err = cli(*args)
        assert code == 0, err


def test_access_report_warns_the_operator_of_findings_before_sending(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """The operator is told on stderr; a subject with no findings is not."""
    demo_year(cli)
    code, out, err = cli("access-report", EMAIL, "--lang", "fi")
    assert code == 0
    warning = [
        line for line in err.splitlines() if line.startswith("kirjuri: warning:")
    ]
    assert len(warning) == 1
    assert "consent_required" in warning[0] and "breach_assessment" in warning[0]
    assert EMAIL not in err  # the subject by its pseudonymous id only
    assert "warning:" not in out
    code, _, err = cli("access-report", "liisa.makinen@nfs.example")
    assert code == 0 and "warning:" not in err


def test_the_finnish_answer_prints_to_a_pdf_letter(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """Item 18: the demo's Finnish answer for Aino Virtanen as a PDF."""
    demo_year(cli)
    target = tmp_path / "vastaus.pdf"
    code, _, err = cli(
        "access-report", EMAIL, "--lang", "fi", "--format", "pdf", "-o", target
    )
    assert code == 0, err
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    code, html, _ = cli("access-report", EMAIL, "--lang", "fi", "--format", "html")
    assert "Vastaanottaja" in html and "Aino Virtanen" in html
    assert "Liite: miten voit tarkistaa" in html


def test_data_we_derived_ourselves_is_labelled_ours_not_another_partys(
    kirjuri: Kirjuri,
) -> None:
    register(kirjuri)
    run(
        kirjuri,
        kind="collect",
        subject=EMAIL,
        category="customer_history",
        value="Call 12.3.: asked for a quote",
        source="subject",
        purposes=["customer_relationship"],
        at="2025-03-12",
    )
    out = answers(kirjuri)
    by = {(s["id"], s["provided_by"]): s["categories"] for s in out["json"]["sources"]}
    assert by[("subject", "controller")] == ["customer_history"]
    assert "name" in by[("subject", "subject")]
    assert "We ourselves (made or derived by us)" in line_of(out["en"], "We ourselves")
    assert "Me itse (laatimamme tai johtamamme tieto)" in out["fi"]


def test_an_import_names_the_real_source_of_every_person(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """No default source: a row with none is refused, naming the field."""
    assert cli("init", "--policy", POLICY)[0] == 0
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "company,name,email,source\n"
        "Hyvä Oy,Hanna Hyvä,hanna@hyva.example,company_website\n"
        "Toinen Oy,Tiina Toinen,tiina@toinen.example,\n",
        encoding="utf-8",
    )
    code, out, err = cli("import", contacts)
    assert code == 65
    assert "(registered 1, updated 0), duplicates 0, rejected 1" in out
    assert f"{contacts}:3: rejected: source: not given" in err
    code, out, _ = cli("access-report", "hanna@hyva.example", "--format", "json")
    (source,) = json.loads(out)["sources"]
    assert (source["id"], source["provided_by"]) == ("company_website", "other")


def test_a_person_from_another_source_is_informed_before_marketing(
    kirjuri: Kirjuri,
) -> None:
    """Art. 14(3): marketing before the person was told, or more than a month
    after collection without it, is a finding; the telling is recorded."""
    run(
        kirjuri,
        kind="register",
        company="Konepaja Virtanen Oy",
        name="Aino Virtanen",
        email=EMAIL,
        source="event_attendee_list",
        at="2025-01-10",
    )

    def newsletter(at: str) -> list[str]:
        outcome = run(
            kirjuri,
            kind="process",
            subject=EMAIL,
            purpose="electronic_marketing",
            categories=["name", "email"],
            activity="newsletter_sent",
            recipient="email_marketing_platform",
            at=at,
        )
        return [f.detail for f in outcome.findings if f.rule == "not_informed"]

    (early,) = newsletter("2025-01-20")
    assert "14(3)(b)" in early and "14(3)(a)" not in early
    (late,) = newsletter("2025-03-01")
    assert "more than one month after collection (Art. 14(3)(a))" in late
    run(
        kirjuri,
        kind="informed",
        subject=EMAIL,
        channel="email",
        reference="privacy-notice-2022-05-13",
        at="2025-03-05",
    )
    assert newsletter("2025-04-01") == []
    out = answers(kirjuri)
    subject = out["json"]["subject"]
    assert subject["collected_elsewhere"] is True
    assert _local_day(subject["informed_at"]) == "2025-03-05"
    assert "Told of the processing (GDPR Art. 14):** 2025-03-05 (Email)" in out["en"]
    assert "Käsittelystä kerrottu sinulle" in out["fi"] and "5.3.2025" in out["fi"]
    row = line_of(out["en"], "2025-01-20", "Electronic direct")
    assert "Made before we had told you" in row
    assert "ennen kuin olimme kertoneet" in line_of(out["fi"], "20.1.2025", "Sähköinen")
    later = line_of(out["en"], "2025-04-01", "Electronic direct")
    assert "Made before we had told you" not in later


def test_check_answers_not_allowed_before_a_transfer_with_no_safeguard(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    demo_year(cli)
    code, out, _ = cli(
        "check",
        EMAIL,
        "--purpose",
        "order_delivery",
        "--recipient",
        "delivery_partner",
        "--category",
        "delivery_address",
        "--country",
        "IN",
    )
    assert code != 0
    assert "not allowed: no_safeguard" in out
    code, out, _ = cli(
        "check",
        EMAIL,
        "--purpose",
        "order_delivery",
        "--recipient",
        "delivery_partner",
        "--category",
        "delivery_address",
    )
    assert (code, out.strip()) == (0, "allowed")


def test_a_free_text_reason_can_be_given_in_both_languages(kirjuri: Kirjuri) -> None:
    """A Finnish answer carries no English reason when a Finnish one exists."""
    register(kirjuri)
    _request(kirjuri, "R-EXT", "access", "2025-11-03")
    run(
        kirjuri,
        kind="extend-request",
        request_id="R-EXT",
        reason="Records from the group's US systems must be collected",
        reason_fi="Tiedot on koottava konsernin Yhdysvaltojen järjestelmistä",
        at="2025-11-20",
    )
    _request(kirjuri, "R-REF", "erasure", "2025-11-04")
    run(
        kirjuri,
        kind="refuse-request",
        request_id="R-REF",
        reason="Invoices must be kept under the Accounting Act",
        reason_fi="Laskut on säilytettävä kirjanpitolain nojalla",
        at="2025-11-10",
    )
    subject = kirjuri.resolve(EMAIL)
    for rid, field, en, fi in (
        ("R-EXT", "extension_reason", "US systems", "Yhdysvaltojen järjestelmistä"),
        ("R-REF", "refusal_reason", "Accounting Act", "kirjanpitolain nojalla"),
    ):
        reports = {
            lang: build_access_report(kirjuri.ledger, subject, lang, rid)  # type: ignore[arg-type]
            for lang in ("en", "fi")
        }
        assert en in json.loads(render_json(reports["en"]))["request"][field]
        assert fi in json.loads(render_json(reports["fi"]))["request"][field]
        text_fi = render_markdown(reports["fi"])
        assert fi in text_fi and en not in text_fi
        assert en in render_markdown(reports["en"])


def test_a_fee_beyond_a_further_access_copy_needs_a_recorded_reasoned_decision(
    kirjuri: Kirjuri,
) -> None:
    """Art. 12(5): portability is free unless the controller records why a
    request is manifestly unfounded or excessive."""
    register(kirjuri)
    for number in range(1, 4):
        _request(kirjuri, f"R-P{number}", "portability", f"2025-0{number}-01")
    run(
        kirjuri,
        kind="excessive-request",
        request_id="R-P3",
        reason="The third identical request in three months",
        reason_fi="Kolmas samanlainen pyyntö kolmessa kuukaudessa",
        at="2025-03-05",
    )
    second, _ = _fee(kirjuri, "R-P2", "en")
    assert second.request is not None and second.request.free_of_charge is True
    third, third_en = _fee(kirjuri, "R-P3", "en")
    assert third.request is not None
    assert third.request.free_of_charge is False
    assert third.request.excessive_reason == (
        "The third identical request in three months"
    )
    assert "manifestly unfounded or excessive, for this reason: The third" in third_en
    _, third_fi = _fee(kirjuri, "R-P3", "fi")
    assert "ilmeisen perusteettomaksi tai kohtuuttomaksi" in third_fi
    assert "Kolmas samanlainen pyyntö" in third_fi


def test_an_in_house_use_that_breached_the_policy_is_told_as_such(
    kirjuri: Kirjuri,
) -> None:
    """A sales call made while processing was restricted has no recipient
    row: it is listed with its finding, not under a legal basis."""
    register(kirjuri)
    run(
        kirjuri,
        kind="restrict",
        subject=EMAIL,
        ground="accuracy_contested",
        at="2025-05-02",
    )
    run(
        kirjuri,
        kind="process",
        subject=EMAIL,
        purpose="direct_marketing",
        categories=["name", "phone"],
        activity="sales_call",
        at="2025-05-20",
    )
    out = answers(kirjuri)
    (use,) = out["json"]["breached_uses"]
    assert (use["purpose"], use["activity"]) == ("direct_marketing", "sales_call")
    assert [f["rule"] for f in use["findings"]] == ["restricted"]
    row = line_of(out["en"], "2025-05-20")
    assert "Made while processing of your data was restricted" in row
    assert "Legitimate interests" not in row
    assert "Uses of your data that breached our policy" in out["en"]
    assert "rajoitettu" in line_of(out["fi"], "20.5.2025")
    assert "Tietojesi käyttö toimintaperiaatteidemme vastaisesti" in out["fi"]


def test_art19_names_only_recipients_who_had_the_data_before_the_change(
    kirjuri: Kirjuri,
) -> None:
    """A rectification reaches those sent the rectified data before it; a
    recipient sent other data, or sent the data after, got nothing to fix."""
    register(kirjuri)
    run(kirjuri, kind="start-relationship", subject=EMAIL, at="2025-01-15")
    for recipient, categories, at in (
        ("delivery_partner", ["name", "phone"], "2025-02-01"),
        ("debt_collector", ["name", "company"], "2025-02-02"),
        ("group_company_se", ["name", "phone"], "2025-04-01"),
    ):
        purpose = "debt_collection" if recipient == "debt_collector" else None
        run(
            kirjuri,
            kind="disclose",
            subject=EMAIL,
            recipient=recipient,
            categories=categories,
            purpose=purpose or "customer_relationship",
            at=at,
        )
    run(
        kirjuri,
        kind="rectify",
        subject=EMAIL,
        category="phone",
        value="+358 40 765 0011",
        at="2025-03-01",
    )
    run(
        kirjuri,
        kind="restrict",
        subject=EMAIL,
        ground="accuracy_contested",
        at="2025-03-15",
    )
    out = answers(kirjuri)
    report = out["json"]
    names = {r["id"]: r["name"] for r in report["recipients"]}
    delivery = names["delivery_partner"]
    assert delivery in report["told_of_rectification"]
    assert names["debt_collector"] not in report["told_of_rectification"]
    assert names["group_company_se"] not in report["told_of_rectification"]
    assert names["debt_collector"] in report["told_of_restriction"]
    assert names["group_company_se"] not in report["told_of_restriction"]
    assert f"received the data before it (GDPR Art. 19): {delivery}" in (
        " ".join(out["en"].split())
    )
