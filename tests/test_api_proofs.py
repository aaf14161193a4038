"""Proofs over HTTP: a consistency proof between two signed checkpoints and
an event's inclusion proof, each checked with the library's own verifiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.models import parse_command
from ledger.checkpoints import Verifier, parse_checkpoint
from ledger.integrity import verify_consistency
from tests.api_helpers import REGISTER, client, token

if TYPE_CHECKING:
    from commands.service import Kirjuri


def _two_checkpoints(kirjuri: Kirjuri) -> tuple[int, int]:
    kirjuri.execute(parse_command(REGISTER))
    old = kirjuri.checkpoint().checkpoint.size
    for n in range(3):
        kirjuri.execute(parse_command({**REGISTER, "email": f"p{n}@x.example"}))
    return old, kirjuri.checkpoint().checkpoint.size


def test_a_served_consistency_proof_verifies(kirjuri: Kirjuri) -> None:
    old, new = _two_checkpoints(kirjuri)
    with client(kirjuri) as api:
        answer = api.get(
            f"/v1/proofs/consistency?from={old}&to={new}",
            headers=token(kirjuri, "auditor"),
        )
        key = api.get("/v1/public-key").json()["public_key"]
    assert answer.status_code == 200, answer.text
    body = answer.json()
    first = parse_checkpoint(body["from_checkpoint"])
    second = parse_checkpoint(body["to_checkpoint"])
    verifier = Verifier.parse(key)
    assert verifier.verifies(first) and verifier.verifies(second)
    assert (first.size, second.size) == (old, new)
    proof = [bytes.fromhex(h) for h in body["proof"]]
    assert proof
    assert verify_consistency(old, new, first.root, second.root, proof)
    assert not verify_consistency(old, new, second.root, first.root, proof)


def test_a_bad_range_is_a_problem(kirjuri: Kirjuri) -> None:
    old, new = _two_checkpoints(kirjuri)
    headers = token(kirjuri, "dpo")
    with client(kirjuri) as api:
        backwards = api.get(
            f"/v1/proofs/consistency?from={new}&to={old}", headers=headers
        )
        unsigned = api.get(
            f"/v1/proofs/consistency?from={old + 1}&to={new}", headers=headers
        )
        missing = api.get(f"/v1/proofs/consistency?from={old}", headers=headers)
        words = api.get("/v1/proofs/consistency?from=a&to=2", headers=headers)
    for answer in (backwards, unsigned, missing, words):
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    assert backwards.json()["detail"] == "from: must not be larger than to"
    assert unsigned.json()["detail"] == f"from: no signed checkpoint of size {old + 1}"
    assert unsigned.json()["errors"][0]["pointer"] == "#/from"


def test_a_served_inclusion_proof_verifies_offline(kirjuri: Kirjuri) -> None:
    old, _ = _two_checkpoints(kirjuri)
    with client(kirjuri) as api:
        evidence = api.get(f"/v1/proofs/{old}", headers=token(kirjuri, "regulator"))
        key = api.get("/v1/public-key").json()["public_key"]
    assert evidence.status_code == 200, evidence.text
    assert kirjuri.verify_proof(evidence.json(), key).ok
