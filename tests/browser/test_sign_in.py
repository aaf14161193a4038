"""Signing in and out in a real browser, and the Today page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.browser.helpers import check_axe, fill_sign_in, shoot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Served


def test_a_dpo_signs_in_sees_today_and_signs_out(page: Page, served: Served) -> None:
    """Sign-in form, Today with its sections, then sign-out ends the session."""
    page.goto(f"{served.url}/?x=1")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/%3Fx%3D1"))
    expect(page).to_have_title("Sign in – Kirjuri")
    check_axe(page)
    shoot(page, "sign-in")
    sign_in(page, served, "dpo")
    expect(page).to_have_title("Today – Kirjuri")
    expect(
        page.get_by_role("heading", name=re.compile("Open requests"))
    ).to_be_visible()
    expect(page.get_by_role("link", name="Access")).to_be_visible()
    check_axe(page)
    shoot(page, "today")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{served.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_a_wrong_password_is_refused(page: Page, served: Served) -> None:
    page.goto(f"{served.url}/sign-in")
    fill_sign_in(page, "demo_auditor", "not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    expect(page).to_have_title("Sign in – Kirjuri")


def test_the_keyboard_reaches_the_content_and_the_language_switches(
    page: Page, served: Served
) -> None:
    """Tab first reaches the skip link; Suomeksi switches the pages to Finnish."""
    sign_in(page, served, "dpo")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    page.get_by_role("link", name="Suomeksi").click()
    expect(page).to_have_title("Tänään – Kirjuri")
    expect(page.get_by_role("link", name="Henkilöt")).to_be_visible()
    check_axe(page)
    shoot(page, "today-fi")
