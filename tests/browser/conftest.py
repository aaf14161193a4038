"""A real ``kirjuri serve`` over the demo ledger, and Debian's chromium.

The demo ledger (``make demo``'s policy, contacts and year of processing,
a checkpoint, a clean verify, one account per role) is built once per test
session and backend; each backend's server serves it on a free loopback
port for the whole session. Tests that change it use names of their own.
Without /usr/bin/chromium the tests skip, except in CI (CI=true), where
that is a failure.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from commands.bootstrap import Settings
from commands.service import Kirjuri
from tests.browser.helpers import ACCOUNTS, DESKTOP, PASSWORD
from tests.conftest import POLICY
from tests.test_api_server import KIRJURI, _env, _free_port, _until_up

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# A regulator's window: the first half of the demo year.
WINDOW = ("2025-01-01", "2025-06-30")


@dataclass(frozen=True)
class Served:
    url: str
    settings: Settings
    log: Path


def build_demo(settings: Settings) -> None:
    """What ``make demo`` records, and the test accounts with PASSWORD."""
    from ledger import clock  # noqa: PLC0415

    with Kirjuri.open(settings, create=True) as kirjuri:
        kirjuri.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        kirjuri.import_contacts(
            EXAMPLES / "crm-contacts.csv", origin="event_attendee_list"
        )
        with (EXAMPLES / "year-2025.jsonl").open("rb") as feed:
            kirjuri.apply(feed)
        kirjuri.checkpoint()
        kirjuri.verify()
        for role, name in ACCOUNTS.items():
            window = {}
            if role == "regulator":
                window = {
                    "since": clock.parse_moment(WINDOW[0], "since"),
                    "until": clock.parse_moment(WINDOW[1], "until"),
                    "expires": timedelta(days=30),
                }
            issued = kirjuri.add_user(name, role, **window)  # type: ignore[arg-type]
            kirjuri.change_password(issued.row.user_id, issued.password, PASSWORD)
        issued = kirjuri.add_user("demo_lockout", "dpo")
        kirjuri.change_password(issued.row.user_id, issued.password, PASSWORD)


def _settings(backend: str, folder: Path, request: pytest.FixtureRequest) -> Settings:
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    witness = folder / "witness"
    if backend == "sqlite":
        return Settings(sqlite_path=folder / "kirjuri.db", witness_path=witness, **keys)
    base = request.getfixturevalue("postgres_url")
    schema = f"b_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(
        database_url=f"{base}?schema={schema}", witness_path=witness, **keys
    )


def _serve(
    backend: str, request: pytest.FixtureRequest, factory: pytest.TempPathFactory
) -> Iterator[Served]:
    folder = factory.mktemp(f"browser-{backend}")
    settings = _settings(backend, folder, request)
    build_demo(settings)
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [KIRJURI, "serve", "--port", str(port)],
            env=_env(settings),
            stdout=out,
            stderr=out,
            cwd=folder,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _until_up(url, server)
        yield Served(url, settings, log)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo ledger on SQLite, served for the whole session."""
    yield from _serve("sqlite", request, tmp_path_factory)


@pytest.fixture(scope="session")
def served_postgres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo ledger on PostgreSQL, served for the whole session."""
    yield from _serve("postgres", request, tmp_path_factory)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=FLAGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at 1280x800, in English."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()
