"""The Art. 30 record verifiable offline: signed over its canonical bytes,
resting on a signed checkpoint, with the period's uses of data proven so
that the recipients disclosed to are recounted; both backends."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoints import Signer, Verifier
from ledger.clock import LOCAL_TZ
from ledger.ropa_check import digest_line, verify_record
from tests.api_helpers import client, token
from tests.test_ropa import _ledger
from tests.web_helpers import signed_in

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from commands.service import Kirjuri

ROOT = Path(__file__).resolve().parent.parent
YEAR_2025 = {
    "since": datetime(2025, 1, 1, tzinfo=LOCAL_TZ),
    "until": datetime(2026, 1, 1, tzinfo=LOCAL_TZ),
}


def _signed(kirjuri: Kirjuri) -> dict[str, Any]:
    _ledger(kirjuri)
    return kirjuri.signed_processing_record(**YEAR_2025)


def _problems(kirjuri: Kirjuri, document: dict[str, Any]) -> list[str]:
    return verify_record(document, Verifier.parse(kirjuri.public_key())).problems


def _resigned(kirjuri: Kirjuri, document: dict[str, Any]) -> dict[str, Any]:
    """What an operator holding the key could sign: a new attestation."""
    body = document["attestation"].split("\n\n", 1)[0].rsplit("\n", 1)[0] + "\n"
    body += digest_line(document) + "\n"
    signer = kirjuri.signer()
    document["attestation"] = f"{body}\n\u2014 {signer.name} {signer.signature(body)}\n"
    return document


def test_the_signed_record_verifies_offline_and_recounts_the_recipients(
    kirjuri: Kirjuri,
) -> None:
    document = _signed(kirjuri)
    check = verify_record(document, Verifier.parse(kirjuri.public_key()))
    assert check.problems == []
    # Two deliveries, one to the group company, one customs transfer: 2025.
    assert check.events == 4
    assert {e["stored_name"] for e in document["events"]} == {
        "DataDisclosed",
        "DataTransferred",
    }
    assert document["record"]["ledger_events"] == check.size


def test_a_changed_byte_is_refused_with_the_reason(kirjuri: Kirjuri) -> None:
    document = _signed(kirjuri)
    changed = json.loads(
        json.dumps(document).replace(
            "Keski-Suomen Pikarahti Oy", "Keski-Suomen Pikarahti Ab"
        )
    )
    assert _problems(kirjuri, changed) == [
        "attestation: the record's digest differs (the file was changed)"
    ]
    dropped = copy.deepcopy(document)
    dropped["events"].pop(0)
    assert "attestation: the record's digest differs" in _problems(kirjuri, dropped)[0]


def test_a_record_its_events_do_not_bear_out_is_refused_even_if_signed(
    kirjuri: Kirjuri,
) -> None:
    document = _signed(kirjuri)
    lying = copy.deepcopy(document)
    [delivery] = [
        a for a in lying["record"]["activities"] if a["id"] == "order_delivery"
    ]
    [partner] = [r for r in delivery["recipients"] if r["id"] == "delivery_partner"]
    partner["events"] = 1  # the record says one delivery; two were made
    assert _problems(kirjuri, _resigned(kirjuri, lying)) == [
        "recipients: delivery_partner for order_delivery: the record states 1"
        " events, the events given show 2"
    ]
    hidden = _resigned(kirjuri, copy.deepcopy(document))
    hidden["events"] = [
        e for e in hidden["events"] if e["stored_name"] != "DataTransferred"
    ]
    problems = _problems(kirjuri, _resigned(kirjuri, hidden))
    assert problems == [
        "recipients: customs_us for customs_export: the record states 1 events,"
        " the events given show 0"
    ]


def test_another_key_is_refused(kirjuri: Kirjuri) -> None:
    document = _signed(kirjuri)
    other = Signer("kirjuri/other", Ed25519PrivateKey.generate()).verifier
    problems = verify_record(document, Verifier.parse(str(other))).problems
    assert problems[0].endswith("not signed by kirjuri/other's key")


def test_kirjuri_signs_and_verifies_the_record_with_no_database(
    kirjuri: Kirjuri,
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _ledger(kirjuri)
    signed = tmp_path / "ropa.json"
    code, _, err = cli(
        "ropa", "--since", "2025-01-01", "--until", "2026-01-01", "--signed",
        "-o", signed,
    )  # fmt: skip
    assert code == 0, err
    key = kirjuri.public_key()
    monkeypatch.setenv("KIRJURI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, out, _ = cli("verify-ropa", signed, "--public-key", key)
    assert code == 0 and out.startswith("verified: the record at checkpoint")
    signed.write_text(signed.read_text().replace('"events": 2', '"events": 3', 1))
    code, out, err = cli("verify-ropa", signed, "--public-key", key)
    assert code == 1 and out.startswith("FAILED")
    assert "attestation: the record's digest differs" in err


def test_the_api_serves_the_signed_record(kirjuri: Kirjuri) -> None:
    _ledger(kirjuri)
    query = "/v1/ropa/signed?since=2025-01-01&until=2026-01-01"
    with client(kirjuri) as api:
        got = api.get(query, headers=token(kirjuri, "regulator"))
    assert got.status_code == 200
    assert _problems(kirjuri, got.json()) == []


def test_the_policy_page_downloads_the_signed_record(kirjuri: Kirjuri) -> None:
    _ledger(kirjuri)
    auditor = signed_in(kirjuri, "auditor")
    assert 'value="signed"' in auditor.get("/policy").text
    got = auditor.get("/policy/record?since=2025-01-01&until=2026-01-01&format=signed")
    assert got.status_code == 200
    assert "signed.json" in got.headers["content-disposition"]
    assert _problems(kirjuri, got.json()) == []


def test_the_demo_ledgers_record_of_2025_verifies_offline(
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for args in (
        ("init", "--policy", ROOT / "policies" / "fluiconnecto.toml"),
        ("import", ROOT / "examples" / "crm-contacts.csv",
         "--source", "event_attendee_list"),
        ("apply", ROOT / "examples" / "year-2025.jsonl"),
    ):  # fmt: skip
        assert cli(*args)[0] == 0
    _, key, _ = cli("keys", "public")
    signed = tmp_path / "ropa.json"
    code, _, err = cli(
        "ropa", "--since", "2025-01-01", "--until", "2026-01-01", "--lang", "fi",
        "--signed", "-o", signed,
    )  # fmt: skip
    assert code == 0, err
    assert len(json.loads(signed.read_text())["events"]) > 5
    monkeypatch.setenv("KIRJURI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, out, _ = cli("verify-ropa", signed, "--public-key", key.strip())
    assert code == 0 and out.startswith("verified: the record at checkpoint")
