"""The Art. 30(1) record: the policy's activities beside what the ledger
observed in a period, and every difference between the two said plainly —
on both backends, through the facade, the CLI and the API."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from commands.models import parse_command
from ledger.clock import LOCAL_TZ
from ledger.errors import InvalidCommand
from projections.reports.ropa_render import (
    record_csv,
    record_html,
    record_markdown,
)
from tests.api_helpers import client, token
from tests.web_helpers import signed_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.service import Kirjuri
    from projections.reports.ropa import ActivityEntry, ProcessingRecord

EMAIL = "aino.virtanen@esimerkki.fi"
YEAR_2025 = {
    "since": datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    "until": datetime(2026, 1, 1, tzinfo=LOCAL_TZ),
}


def run(kirjuri: Kirjuri, **data: Any) -> None:
    kirjuri.execute(parse_command(data))


def _ledger(kirjuri: Kirjuri) -> None:
    """A year of processing with one of each difference, and one event
    before the year that the record of 2025 must not count."""
    run(
        kirjuri,
        kind="register",
        company="Konepaja Virtanen Oy",
        name="Aino Virtanen",
        email=EMAIL,
        source="subject",
        at="2024-06-01",
    )
    disclose = {"kind": "disclose", "subject": EMAIL}
    run(
        kirjuri,
        **disclose,
        recipient="delivery_partner",
        categories=["name"],
        purpose="order_delivery",
        at="2024-12-30",
    )
    for at in ("2025-02-01", "2025-03-01"):
        run(
            kirjuri,
            **disclose,
            recipient="delivery_partner",
            categories=["name", "title"],  # title: not listed for delivery
            purpose="order_delivery",
            at=at,
        )
    run(  # the group company is not named for direct marketing
        kirjuri,
        **disclose,
        recipient="group_company_se",
        categories=["name"],
        purpose="direct_marketing",
        at="2025-04-01",
    )
    run(  # customs documents an Art. 49 derogation, not SCCs
        kirjuri,
        kind="transfer",
        subject=EMAIL,
        recipient="customs_us",
        country="US",
        safeguard="scc",
        categories=["company"],
        purpose="customs_export",
        at="2025-05-01",
    )


def _activity(record: ProcessingRecord, purpose: str) -> ActivityEntry:
    return next(a for a in record.activities if a.id == purpose)


def test_the_record_sets_what_was_observed_beside_what_is_documented(
    kirjuri: Kirjuri,
) -> None:
    _ledger(kirjuri)
    record = kirjuri.processing_record(**YEAR_2025)
    delivery = _activity(record, "order_delivery")
    partner = next(r for r in delivery.recipients if r.id == "delivery_partner")
    # 2024-12-30 lies before the period: two disclosures, not three.
    assert (partner.events, partner.subjects, partner.documented) == (2, 1, True)
    assert partner.first is not None and partner.first.date().isoformat() == (
        "2025-02-01"
    )
    assert "Title and/or salutation" in delivery.categories_observed
    # Processors of every contact's data are listed once, not per activity.
    assert {p.name for p in record.processors} >= {"Datavarmo Oy", "Teamloft Inc."}
    assert not any(r.name == "Datavarmo Oy" for r in delivery.recipients)
    marketing = _activity(record, "direct_marketing")
    stray = next(r for r in marketing.recipients if r.id == "group_company_se")
    assert not stray.documented and stray.events == 1
    customs = _activity(record, "customs_export")
    observed = [t for t in customs.transfers if t.observed]
    assert [(t.recipient, t.events) for t in observed] == [
        ("U.S. Customs and Border Protection", 1)
    ]
    assert record.data_subjects is not None
    assert "Contact persons of customers" in record.data_subjects
    assert any("AES-256-GCM" in m for m in record.security_measures)


def test_every_difference_is_said_and_a_used_recipient_is_not_unused(
    kirjuri: Kirjuri,
) -> None:
    _ledger(kirjuri)
    record = kirjuri.processing_record(**YEAR_2025)
    said = {d.kind: d for d in record.differences if d.kind != "unused"}
    assert set(said) == {"category", "recipient_purpose", "safeguard"}
    assert said["category"].events == 2  # both disclosures added up
    assert "Title and/or salutation" in said["category"].text
    assert "Fluiconnecto Sverige AB" in said["recipient_purpose"].text
    assert "U.S. Customs and Border Protection" in said["safeguard"].text
    unused = [d.text for d in record.differences if d.kind == "unused"]
    assert any("Saatavahallinta Lindqvist Oy" in t for t in unused)
    assert not any("Keski-Suomen Pikarahti Oy" in t for t in unused)
    assert not any("Datavarmo Oy" in t for t in unused)  # a processor
    # Before the period nothing differs but what was not used.
    earlier = kirjuri.processing_record(until=YEAR_2025["since"])
    assert {d.kind for d in earlier.differences} == {"unused"}


def test_the_record_reads_in_finnish_and_english_in_every_format(
    kirjuri: Kirjuri,
) -> None:
    _ledger(kirjuri)
    fi = kirjuri.processing_record(language="fi", **YEAR_2025)
    en = kirjuri.processing_record(language="en", **YEAR_2025)
    assert "ajalla 1.1.2025–31.12.2025" in record_markdown(fi)
    assert "from 2025-01-01 until 2025-12-31" in record_markdown(en)
    html = record_html(fi)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fi">' in html
    assert "Seloste käsittelytoimista" in html
    assert "Erot politiikan ja kirjanpidon välillä" in html
    rows = list(csv.DictReader(io.StringIO(record_csv(en))))
    delivery = [r for r in rows if r["recipient"] == "Keski-Suomen Pikarahti Oy"]
    assert [(r["activity"], r["events"], r["in_policy"]) for r in delivery] == [
        ("order_delivery", "2", "yes")
    ]
    # Every activity has a row, with or without a recipient.
    assert {r["activity"] for r in rows} == {a.id for a in en.activities}


def test_a_period_that_ends_before_it_starts_is_refused(kirjuri: Kirjuri) -> None:
    with pytest.raises(InvalidCommand, match=r"^until: must be later than since"):
        kirjuri.processing_record(since=YEAR_2025["until"], until=YEAR_2025["since"])


def test_kirjuri_ropa_writes_the_record(
    kirjuri: Kirjuri, cli: Callable[..., tuple[int, str, str]]
) -> None:
    _ledger(kirjuri)
    code, out, _ = cli("ropa", "--since", "2025-01-01", "--until", "2026-01-01")
    assert code == 0
    assert "# Record of processing activities (GDPR Art. 30(1))" in out
    code, out, _ = cli("ropa", "--format", "json", "--lang", "fi")
    assert code == 0 and json.loads(out)["language"] == "fi"
    code, out, err = cli("ropa", "--since", "2026-01-01", "--until", "2025-01-01")
    assert code == 65 and out == ""
    assert err.strip().endswith("until: must be later than since")
    assert len(err.strip().splitlines()) == 1


def test_the_api_serves_the_record_to_auditors_not_to_ingest(
    kirjuri: Kirjuri,
) -> None:
    _ledger(kirjuri)
    query = "/v1/ropa?since=2025-01-01&until=2026-01-01"
    with client(kirjuri) as api:
        as_json = api.get(query, headers=token(kirjuri, "auditor"))
        as_csv = api.get(f"{query}&format=csv", headers=token(kirjuri, "regulator"))
        refused = api.get(query, headers=token(kirjuri, "ingest"))
        bad = api.get("/v1/ropa?since=yesterday", headers=token(kirjuri, "dpo"))
    assert as_json.status_code == 200
    assert {d["kind"] for d in as_json.json()["differences"]} >= {"safeguard"}
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert refused.status_code == 403
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_the_record_prints_as_a_pdf(kirjuri: Kirjuri) -> None:
    pytest.importorskip("weasyprint")
    _ledger(kirjuri)
    with client(kirjuri) as api:
        pdf = api.get("/v1/ropa?format=pdf&lang=fi", headers=token(kirjuri, "dpo"))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")


def test_the_policy_page_downloads_the_record_for_a_period(kirjuri: Kirjuri) -> None:
    """The web app's Policy page offers the record to a role that may audit;
    a malformed date is the error page naming the field, not a 500."""
    _ledger(kirjuri)
    auditor = signed_in(kirjuri, "auditor")
    page = auditor.get("/policy")
    assert 'action="/policy/record"' in page.text
    got = auditor.get(
        "/policy/record?since=2025-01-01&until=2026-01-01&lang=en&format=csv"
    )
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert "Keski-Suomen Pikarahti Oy" in got.text
    html = auditor.get("/policy/record?lang=fi")
    assert "Seloste käsittelytoimista" in html.text
    bad = auditor.get("/policy/record?since=eilen")
    assert bad.status_code == 422
    assert "since" in bad.text
