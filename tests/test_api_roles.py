"""Every role on every route: allowed or refused as the role table says."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from api.auth import RIGHTS
from commands.models import parse_command
from tests.api_helpers import REGISTER, ROLES, client, token

if TYPE_CHECKING:
    from commands.service import Kirjuri

PUBLIC = {"/healthz", "/readyz", "/v1/checkpoints/latest", "/v1/public-key"}
S = "{subject}"
# (method, path, body, the right it needs)
TABLE: list[tuple[str, str, Any, str]] = [
    ("POST", "/v1/commands", REGISTER, "record"),
    ("POST", "/v1/commands/batch", [REGISTER], "record"),
    ("POST", "/v1/check", {"subject": S, "purpose": "order_delivery"}, "check"),
    ("GET", "/v1/policy/purposes", None, "policy"),
    ("GET", "/v1/subjects?search=aino", None, "manage"),
    ("GET", f"/v1/subjects/{S}/state", None, "consult"),
    ("GET", f"/v1/subjects/{S}/access-report", None, "consult"),
    ("GET", f"/v1/subjects/{S}/export", None, "export"),
    ("POST", f"/v1/subjects/{S}/holds", {"reason": "a dispute"}, "manage"),
    ("POST", f"/v1/subjects/{S}/holds/release", {"reason": "settled"}, "manage"),
    ("POST", f"/v1/subjects/{S}/erase", {}, "manage"),
    ("GET", "/v1/history", None, "audit"),
    ("GET", "/v1/findings", None, "audit"),
    ("GET", "/v1/findings/1", None, "audit"),
    ("POST", "/v1/findings/1/acknowledgements", {"note": "seen"}, "manage"),
    ("GET", "/v1/requests", None, "audit"),
    (
        "POST",
        "/v1/requests",
        {"subject": S, "type": "access", "channel": "email", "request_id": "R-9"},
        "manage",
    ),
    ("POST", "/v1/requests/R-9/answer", {}, "manage"),
    ("GET", "/v1/retention", None, "audit"),
    ("GET", "/v1/ropa", None, "audit"),
    ("GET", "/v1/ropa/signed", None, "audit"),
    ("GET", f"/v1/subjects/{S}/consent-records", None, "audit"),
    ("GET", "/v1/consent-records", None, "audit"),
    ("GET", "/v1/policy-dpv", None, "policy"),
    ("GET", "/v1/inquiry?recipient=debt_collector", None, "audit"),
    ("GET", "/v1/checkpoints", None, "audit"),
    ("GET", f"/v1/subjects/{S}/evidence", None, "audit"),
    ("GET", "/v1/proofs/1", None, "audit"),
    ("GET", "/v1/proofs/consistency?from=1&to=1", None, "audit"),
    ("GET", "/metrics", None, "metrics"),
]


def fill(value: Any, subject: str) -> Any:
    if isinstance(value, str):
        return value.replace(S, subject)
    if isinstance(value, dict):
        return {k: fill(v, subject) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, subject) for v in value]
    return value


@pytest.fixture
def registered(kirjuri: Kirjuri) -> str:
    kirjuri.checkpoint()
    return str(kirjuri.execute(parse_command(REGISTER)).subject_id)


def test_the_table_names_every_route(kirjuri: Kirjuri) -> None:
    """A new route cannot escape the role table: it is listed or public."""
    paths = client(kirjuri).get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    listed = [(m, p) for m, p, _, _ in TABLE] + [("GET", p) for p in PUBLIC]

    def covered(method: str, template: str) -> bool:
        pattern = re.sub(r"\\{[a-z_]+\\}", "[^/]+", re.escape(template))
        return any(
            m == method and re.fullmatch(pattern, p.split("?")[0]) for m, p in listed
        )

    assert [route for route in sorted(routes) if not covered(*route)] == []
    assert len(routes) == len(listed)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_the_table_grants(
    kirjuri: Kirjuri, registered: str, role: str
) -> None:
    headers = {**token(kirjuri, role), "X-Purpose": "the role table"}
    wrong = []
    with client(kirjuri) as api:
        for method, path, body, right in TABLE:
            answer = api.request(
                method,
                fill(path, registered),
                json=fill(body, registered),
                headers=headers,
            )
            granted = role in RIGHTS[right]
            refused = answer.status_code in (401, 403)
            if granted == refused or answer.status_code >= 500:
                wrong.append((method, path, answer.status_code, answer.text[:200]))
    assert wrong == []


def test_without_a_token_only_the_public_routes_answer(
    kirjuri: Kirjuri, registered: str
) -> None:
    with client(kirjuri) as api:
        for method, path, body, _ in TABLE:
            answer = api.request(
                method, fill(path, registered), json=fill(body, registered)
            )
            assert answer.status_code == 401, path
            assert answer.headers["www-authenticate"] == "Bearer"
        for path in PUBLIC:
            assert api.get(path).status_code == 200, path


def test_an_ingest_token_cannot_erase_through_commands(
    kirjuri: Kirjuri, registered: str
) -> None:
    erase = {"kind": "erase", "subject": registered}
    with client(kirjuri) as api:
        answer = api.post("/v1/commands", json=erase, headers=token(kirjuri, "ingest"))
    assert answer.status_code == 403
    assert kirjuri.state(registered).status != "erased"


def test_a_regulator_sees_only_its_subjects(kirjuri: Kirjuri, registered: str) -> None:
    other = str(
        kirjuri.execute(
            parse_command({**REGISTER, "email": "other@x.example"})
        ).subject_id
    )
    headers = {
        **token(kirjuri, "regulator", subjects=[registered]),
        "X-Purpose": "inquiry 12/2026",
    }
    with client(kirjuri) as api:
        mine = api.get(f"/v1/subjects/{registered}/state", headers=headers)
        theirs = api.get(f"/v1/subjects/{other}/state", headers=headers)
        everyone = api.get("/v1/history", headers=headers)
        one = api.get(f"/v1/history?subject={registered}", headers=headers)
    assert mine.status_code == 200
    assert theirs.status_code == everyone.status_code == 403
    assert one.status_code == 200
    assert {row["subject_id"] for row in one.json()["items"]} == {registered}


def test_an_expired_or_revoked_token_is_refused(kirjuri: Kirjuri) -> None:
    expired = token(kirjuri, "dpo", expires=timedelta(hours=-1))
    live = kirjuri.create_token("gone", "dpo")
    kirjuri.revoke_token(live.row.token_id)
    with client(kirjuri) as api:
        assert api.get("/v1/findings", headers=expired).status_code == 401
        revoked = {"Authorization": f"Bearer {live.token}"}
        assert api.get("/v1/findings", headers=revoked).status_code == 401
