"""The DPO's and the auditor's flows on the pages Requests, Erase,
Findings, History and Integrity, in a real chromium over the demo ledger:
each page passes the accessibility check and is photographed."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import uuid
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from commands.models import parse_command
from commands.service import Kirjuri
from tests.browser.conftest import WINDOW
from tests.browser.helpers import check_axe, shoot, sign_in

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.browser.conftest import Served

AINO = "aino.virtanen@esimerkki.fi"


def fresh_person(served: Served, *, breach: bool = False) -> str:
    """A person of this test's own (the demo's people stay as they are),
    with a delivery (a recipient to tell) and, if asked, a policy breach."""
    tag = uuid.uuid4().hex[:8]
    with Kirjuri.open(served.settings) as kirjuri:
        subject = str(
            kirjuri.execute(
                parse_command(
                    {
                        "kind": "register",
                        "company": "Testi Oy",
                        "source": "event_attendee_list",
                        "name": "Testi Henkilö",
                        "email": f"testi.{tag}@example.fi",
                        "at": "2025-03-01",
                    }
                )
            ).subject_id
        )
        deliveries = [("delivery_partner", "order_delivery", "name")]
        if breach:
            deliveries.append(("marketing_partner", "partner_marketing", "email"))
        for recipient, purpose, category in deliveries:
            kirjuri.execute(
                parse_command(
                    {
                        "kind": "disclose",
                        "subject": subject,
                        "recipient": recipient,
                        "purpose": purpose,
                        "categories": [category],
                        "at": "2025-03-02",
                    }
                )
            )
    return subject


def nav(page: Page, name: str) -> None:
    """A page, reached from the navigation bar."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_dpo_records_previews_downloads_extends_and_answers_a_request(
    page: Page, served: Served, tmp_path: Path
) -> None:
    """Record an access request, preview the answer with its findings
    warning, download it as HTML, JSON and PDF, extend it, answer it."""
    sign_in(page, served, "dpo")
    nav(page, "Requests")
    expect(page).to_have_title("Requests – Kirjuri")
    check_axe(page)
    shoot(page, "requests")
    page.get_by_label("Person (id or email)").fill(AINO)
    page.get_by_label("Type").select_option("access")
    page.get_by_label("Received through").select_option("email")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request")
    request_url = page.url
    check_axe(page)
    shoot(page, "request")

    page.get_by_role("link", name="Preview the answer in Finnish").click()
    expect(page.get_by_role("alert")).to_contain_text("findings")
    frame = page.frame_locator("iframe.answer")
    expect(frame.get_by_text("Aino Virtanen").first).to_be_visible()
    check_axe(page)
    shoot(page, "answer-preview")
    # The first PDF loads weasyprint's fonts: slow on a loaded machine.
    with page.expect_download(timeout=60_000) as pdf:
        page.get_by_role("link", name="Download as PDF").click()
    saved = tmp_path / "answer.pdf"
    pdf.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = pdf_text(saved)  # .ci/run installs pdftotext (poppler-utils)
    assert "Aino Virtanen" in text
    assert "Tarkastuspyyntö" in text or "tarkastuspyyntö" in text
    with page.expect_download() as html:
        page.get_by_role("link", name="Download as HTML").click()
    assert "Aino Virtanen" in html.value.path().read_text(encoding="utf-8")
    with page.expect_download() as data:
        page.get_by_role("link", name="Download as JSON").click()
    assert json.loads(data.value.path().read_text(encoding="utf-8"))["language"] == "fi"

    page.goto(request_url)
    page.get_by_label("Reason (English)").fill("We are gathering archived call memos.")
    page.get_by_role("button", name="Extend").click()
    expect(page.get_by_role("status")).to_have_text("The deadline was extended.")
    page.get_by_role("button", name="Mark as answered").click()
    expect(page.get_by_role("status")).to_have_text(
        "The request is marked as answered."
    )


def test_an_extension_after_the_first_month_is_refused_clearly(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "dpo")
    page.goto(f"{served.url}/requests/R-2025-021")
    page.get_by_label("Reason (English)").fill("Too late to say so.")
    page.get_by_role("button", name="Extend").click()
    expect(page.get_by_role("alert")).to_contain_text("must be told of an extension")


def test_dpo_erases_only_with_the_persons_id_typed(page: Page, served: Served) -> None:
    subject = fresh_person(served)
    sign_in(page, served, "dpo")
    page.goto(f"{served.url}/people/{subject}/erase")
    expect(page.get_by_role("heading", name="What is erased")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Who must be told (Art. 19)")
    ).to_be_visible()
    check_axe(page)
    shoot(page, "erase-plan")
    page.get_by_label("Type the person's id to confirm").fill(subject[:8])
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was erased")
    page.get_by_label("Type the person's id to confirm").fill(subject)
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erased")
    expect(page.get_by_role("heading", name="What was erased")).to_be_visible()
    check_axe(page)
    shoot(page, "erase-done")


def test_dpo_acknowledges_a_finding_and_it_stays(page: Page, served: Served) -> None:
    subject = fresh_person(served, breach=True)
    sign_in(page, served, "dpo")
    nav(page, "Findings")
    page.get_by_label("Person").fill(subject)
    page.get_by_label("Recipient").fill("marketing_partner")
    page.get_by_role("button", name="Show").click()
    check_axe(page)
    shoot(page, "findings")
    first = page.locator("article.finding").first
    rule = first.get_by_role("heading", level=2).inner_text()
    first.get_by_label("Note of what was done").fill(
        "Partner told to delete; <b>done</b>"
    )
    first.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("the finding stays")
    page.get_by_label("Person").fill(subject)
    page.get_by_role("button", name="Show").click()
    kept = page.locator("article.finding").first
    expect(kept.get_by_role("heading", level=2)).to_contain_text(rule.split()[1])
    expect(kept.get_by_role("heading", level=2)).to_contain_text("✓ acknowledged")
    expect(kept.get_by_text("Partner told to delete; <b>done</b>")).to_be_visible()


def test_history_filters_pages_and_downloads_the_whole_result(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "auditor")
    nav(page, "History")
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    check_axe(page)
    shoot(page, "history")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="First page")).to_be_visible()
    page.get_by_label("Event type").fill("DataDisclosed")
    page.get_by_role("button", name="Show").click()
    shown = page.locator("tbody tr").count()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the whole result as CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert len(rows) >= shown > 0
    assert {r["event_type"] for r in rows} == {"DataDisclosed"}


def test_verify_runs_with_progress_and_shows_its_result(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "auditor")
    nav(page, "Integrity")
    check_axe(page)
    shoot(page, "integrity")
    page.get_by_role("button", name="Run verify").click()
    expect(page).to_have_url(re.compile(r"/integrity/verify/[0-9a-f]{32}$"))
    # The page looks again by itself (no script) until verify is done.
    expect(page.get_by_role("status")).to_have_text(
        "Verified: no problems", timeout=60_000
    )
    check_axe(page)
    shoot(page, "verify")
    page.get_by_role("link", name="Back to Integrity").click()
    with page.expect_download() as key:
        page.get_by_role("link", name="Download the public key").click()
    assert key.value.path().read_text().startswith("kirjuri/")


def test_an_auditor_is_refused_erasure_and_sees_masked_values(
    page: Page, served: Served
) -> None:
    subject = fresh_person(served)
    sign_in(page, served, "auditor")
    page.goto(f"{served.url}/people/{subject}/erase")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not possible")
    page.goto(f"{served.url}/requests/R-2025-021")
    expect(page.get_by_role("button", name="Extend")).to_have_count(0)
    page.get_by_role("link", name="Preview the answer in English").click()
    page.get_by_label("Purpose of access").fill("Annual audit of access answers")
    page.get_by_role("button", name="Continue").click()
    frame = page.frame_locator("iframe.answer")
    expect(frame.get_by_role("heading", level=1)).to_be_visible()
    expect(frame.get_by_text("Aino Virtanen")).to_have_count(0)


def test_a_regulator_sees_only_their_window(page: Page, served: Served) -> None:
    """History and findings show only what happened in the window."""
    sign_in(page, served, "regulator")
    nav(page, "History")
    shown = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert shown, "the window holds events"
    assert all(WINDOW[0] <= day[:10] <= WINDOW[1] for day in shown)
    nav(page, "Findings")
    found = page.locator("article.finding dd:nth-of-type(1)").all_inner_texts()
    assert all(WINDOW[0] <= day[:10] <= WINDOW[1] for day in found)
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
