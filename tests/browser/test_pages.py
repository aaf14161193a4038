"""The DPO's, the auditor's and the regulator's walks through People,
Policy and Access in a real browser, with axe-core and screenshots."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from commands.service import Kirjuri
from tests.browser.helpers import PASSWORD, check_axe, fill_sign_in, shoot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Served

AINO = "aino.virtanen@esimerkki.fi"


def _aino(served: Served) -> str:
    with Kirjuri.open(served.settings) as kirjuri:
        return str(kirjuri.resolve(AINO))


def test_a_dpo_finds_a_person_reads_their_page_and_looks_back(
    page: Page, served: Served
) -> None:
    """Search by email, the person's page, as of a date, the timeline filter."""
    sign_in(page, served, "dpo")
    page.get_by_role("link", name="People").click()
    expect(page).to_have_title("People – Kirjuri")
    page.get_by_label("Search by email, name or company").fill(AINO)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name=AINO)).to_be_visible()
    check_axe(page)
    shoot(page, "people-search")
    page.get_by_role("link", name="Aino Virtanen").click()
    expect(page).to_have_title(re.compile(r"^Person [0-9a-f]{8} – Kirjuri$"))
    expect(
        page.get_by_role("cell", name="Teollisuustie 12, 40320 Jyväskylä")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="Who looked at this person's data")
    ).to_be_visible()
    expect(page.locator("#looks ~ ol li").first).to_contain_text(
        "data protection officer"
    )
    check_axe(page)
    shoot(page, "person")
    # As of 1 March 2025 the phone number was not yet rectified (11.8.).
    page.get_by_label("Show the data as of").fill("2025-03-01")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("heading", name=re.compile("as of 2025-03-01"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="+358 40 123 4567")).to_be_visible()
    page.get_by_label("Type of event").select_option("ConsentGiven")
    page.get_by_role("button", name="Filter").click()
    kinds = page.locator("#events ~ ol.timeline li strong").all_inner_texts()
    assert kinds == ["ConsentGiven"]
    shoot(page, "person-as-of")


def test_the_policy_page_lists_purposes_recipients_and_categories(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "auditor")
    page.get_by_role("link", name="Policy").click()
    expect(page).to_have_title("Policy – Kirjuri")
    for heading in (
        "Purposes and their legal bases",
        "Recipients, their countries and safeguards",
        "Categories and their retention",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("Standard contractual clauses").first).to_be_visible()
    check_axe(page)
    shoot(page, "policy")


def test_a_dpo_creates_and_revokes_a_token_on_the_access_page(
    page: Page, served: Served
) -> None:
    sign_in(page, served, "dpo")
    page.get_by_role("link", name="Access").click()
    expect(page).to_have_title("Access – Kirjuri")
    check_axe(page)
    form = page.locator("form[action='/access/tokens']")
    form.get_by_label("Name").fill("walk_crm")
    form.get_by_label("Role").select_option("ingest")
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Token for walk_crm created.")).to_be_visible()
    expect(page.locator("#secret")).to_have_text(re.compile(r"^kj_"))
    shoot(page, "access")
    page.get_by_role("button", name=re.compile("^Revoke walk_crm")).click()
    expect(page.get_by_text("Token of walk_crm revoked.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("walk_crm"))).to_contain_text(
        "revoked"
    )


def test_an_auditor_is_asked_why_and_sees_masked_values(
    page: Page, served: Served
) -> None:
    aino = _aino(served)
    sign_in(page, served, "auditor")
    expect(page.get_by_role("link", name="Access")).to_have_count(0)
    page.goto(f"{served.url}/access")
    expect(page.get_by_role("heading", name=re.compile("403"))).to_be_visible()
    page.goto(f"{served.url}/people")
    page.get_by_label("Person's id").fill(aino[:8])
    page.get_by_role("button", name="Open").click()
    expect(page).to_have_title("Why do you look? – Kirjuri")
    check_axe(page)
    shoot(page, "purpose")
    page.get_by_label("Purpose of access").fill("annual audit 2025")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_text("Personal values are masked for your role.")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="•••").first).to_be_visible()
    assert "Teollisuustie" not in page.content()
    assert AINO not in page.content()
    expect(page.locator("#looks ~ ol li").last).to_contain_text("annual audit 2025")
    check_axe(page)
    shoot(page, "person-masked")


def test_a_regulator_sees_only_their_window(page: Page, served: Served) -> None:
    """The demo regulator's window is the first half of 2025."""
    aino = _aino(served)
    sign_in(page, served, "regulator")
    page.goto(f"{served.url}/people/{aino}")
    page.get_by_label("Purpose of access").fill("inquiry 2025/17")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Your window")).to_be_visible()
    kinds = page.locator("#events ~ ol.timeline li strong").all_inner_texts()
    assert "ConsentGiven" in kinds and "ObjectionRecorded" in kinds
    assert "DataRectified" not in kinds  # 11.8.2025
    assert "RequestReceived" not in kinds  # 3.11.2025
    expect(page.get_by_role("link", name="R-2025-021")).to_have_count(0)
    shoot(page, "person-regulator")


def test_repeated_wrong_passwords_lock_the_account(page: Page, served: Served) -> None:
    page.goto(f"{served.url}/sign-in")
    for _ in range(5):
        fill_sign_in(page, "demo_lockout", "wrong password")
        expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    fill_sign_in(page, "demo_lockout", "a long demo password")
    expect(page.get_by_role("alert")).to_contain_text("locked")


def test_sign_in_and_a_person_on_postgresql(
    page: Page, served_postgres: Served
) -> None:
    sign_in(page, served_postgres, "dpo")
    page.goto(f"{served_postgres.url}/people?q={AINO}")
    page.get_by_role("link", name="Aino Virtanen").click()
    expect(
        page.get_by_role("cell", name="Teollisuustie 12, 40320 Jyväskylä")
    ).to_be_visible()


def test_the_server_logged_no_password_session_or_email(
    page: Page, served: Served
) -> None:
    """After the walks above, at debug level: nothing a person typed or owns."""
    sign_in(page, served, "dpo")
    session = next(
        c["value"] for c in page.context.cookies() if c["name"] == "kirjuri_session"
    )
    logged = served.log.read_text(encoding="utf-8")
    for secret in (PASSWORD, session, AINO, "Teollisuustie", "wrong password"):
        assert secret not in logged
