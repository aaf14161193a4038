"""What the API tests share: an app on the test ledger, a token per role."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from api.app import create_app

if TYPE_CHECKING:
    from commands.service import Kirjuri

ROLES = ("ingest", "dpo", "auditor", "regulator")
REGISTER = {
    "kind": "register",
    "name": "Aino Virtanen",
    "email": "aino.virtanen@esimerkki.fi",
    "company": "Esimerkki Oy",
    "source": "subject",
    "at": "2025-01-10",
}


def client(kirjuri: Kirjuri, **options: Any) -> TestClient:
    app = create_app(lambda: contextlib.nullcontext(kirjuri), **options)
    return TestClient(app, raise_server_exceptions=False)


def token(kirjuri: Kirjuri, role: str, **limits: Any) -> dict[str, str]:
    if role == "regulator":
        limits.setdefault("expires", timedelta(days=30))
    issued = kirjuri.create_token(f"t_{role}", role, **limits)
    return {"Authorization": f"Bearer {issued.token}"}
