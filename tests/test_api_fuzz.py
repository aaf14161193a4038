"""The OpenAPI document fuzzed with schemathesis (bounded): no 5xx, every
response as its schema says, and nothing written by a refused request."""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from api.app import create_app
from commands.bootstrap import Settings
from commands.models import parse_command
from commands.service import Kirjuri
from tests.api_helpers import REGISTER
from tests.conftest import POLICY

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


EXAMPLES = 8  # per operation: the whole run stays well under a minute
_STATE: dict[str, object] = {}


# The app is built at import (its OpenAPI document needs no ledger); its
# facade is the module's ledger, opened when the fixture starts the app.
APP = create_app(lambda: contextlib.nullcontext(_STATE["kirjuri"]))  # type: ignore[arg-type]
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP  # called in-process, as from_asgi would (without start-up)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kirjuri]:
    """One SQLite ledger for the module (fuzzing is about the edge, not the
    backend: both backends are driven by the other API tests)."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    chosen = Settings(
        sqlite_path=folder / "kirjuri.db", witness_path=folder / "w", **keys
    )
    with Kirjuri.open(chosen, create=True) as kirjuri:
        kirjuri.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        kirjuri.execute(parse_command(REGISTER))
        kirjuri.checkpoint()
        _STATE["token"] = kirjuri.create_token("fuzz", "dpo").token
        _STATE["kirjuri"] = kirjuri
        with TestClient(APP):  # runs the app's start-up
            yield kirjuri


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_every_answer_matches_its_schema(
    fuzzed: Kirjuri, case: schemathesis.Case
) -> None:
    kirjuri = fuzzed
    head = kirjuri.ledger.head()
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {_STATE['token']}"},
        # Valid by the schema is not valid by the policy (an unknown
        # purpose, a subject that does not exist): those are 4xx answers.
        # Starlette's 405 lists the methods of the first route of a path
        # only (GET /v1/requests, not POST): a known limitation, not ours.
        excluded_checks=[
            positive_data_acceptance,
            unsupported_method,
            allow_header_conformance,
            # A "negative" case may differ only by an unknown query parameter
            # (ignored, as HTTP APIs do) or a missing Authorization header
            # (given here to every case): the answer is then rightly 2xx.
            negative_data_rejection,
        ],
    )
    if response.status_code >= 400:
        assert kirjuri.ledger.head() == head  # a refused request wrote nothing
