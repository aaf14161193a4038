"""What browser tests share: signing in as a role, the accessibility check,
screenshots."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Served

SHOTS = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "a long demo password"  # every test account's, set by the fixture
# The test accounts, one per role (see conftest.build_demo).
ACCOUNTS = {"dpo": "demo_dpo", "auditor": "demo_auditor", "regulator": "demo_regulator"}


def _axe_script() -> str:
    import axe_playwright_python  # noqa: PLC0415 - ships axe-core's axe.min.js

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(
        encoding="utf-8"
    )


def sign_in(page: Page, served: Served, role: str, password: str = PASSWORD) -> None:
    """Sign in through the form as the test account of ``role``."""
    page.goto(f"{served.url}/sign-in")
    fill_sign_in(page, ACCOUNTS[role], password)
    page.wait_for_url(re.compile(r"/($|\?)"))


def fill_sign_in(page: Page, name: str, password: str) -> None:
    page.get_by_label(re.compile("User name|Käyttäjätunnus")).fill(name)
    page.get_by_label(re.compile("^(Password|Salasana)$")).fill(password)
    page.get_by_role("button", name=re.compile("^(Sign in|Kirjaudu)$")).click()


def check_axe(page: Page) -> None:
    """axe-core in the page: no serious or critical violation."""
    page.evaluate(_axe_script())
    found: dict[str, Any] = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {json.dumps(bad, indent=1)}"


def shoot(page: Page, name: str) -> None:
    """The page at 1280x800 and at a phone's 390x844, into SHOTS; the page
    must not scroll sideways on the phone."""
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-1280x800.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-390x844.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert wide <= PHONE["width"] + 1, f"{name}: {wide}px wide on a phone"
