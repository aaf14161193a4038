"""Inquiry bundles an authority checks with no database, and the stream map
that shows a person's bundle is complete; both backends."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from commands.service import Kirjuri
from ledger import clock
from ledger.checkpoints import Signer, Verifier
from ledger.inquiry import verify_inquiry
from ledger.integrity import merkle_root
from ledger.streams import map_claim, map_line
from tests.test_erasure import rich_subject, run

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from commands.bootstrap import Settings

ROOT = Path(__file__).resolve().parent.parent
AINO = "aino.virtanen@esimerkki.fi"


def _other(kirjuri: Kirjuri) -> str:
    subject = run(kirjuri, kind="register", company="Pumppu Oy", source="subject")
    return str(subject.subject_id)


def _problems(kirjuri: Kirjuri, bundle: dict[str, Any]) -> list[str]:
    return verify_inquiry(bundle, Verifier.parse(kirjuri.public_key())).problems


def test_the_demo_ledger_answers_an_inquiry_that_verifies_offline(
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
    debts, aino = tmp_path / "debts.json", tmp_path / "aino.json"
    code, _, err = cli(
        "inquiry", "--recipient", "debt_collector", "--since", "2025-01-01",
        "--until", "2026-01-01", "-o", debts,
    )  # fmt: skip
    assert code == 0, err
    events = json.loads(debts.read_text())["events"]
    assert events and {e["stored_name"] for e in events} == {"DataDisclosed"}
    code, _, err = cli("inquiry", "--subject", AINO, "-o", aino)
    assert code == 0 and "complete for the subject" in err
    history = json.loads(aino.read_text())
    assert history["completeness"]["count"] == len(history["events"]) > 15
    # The authority has the files and the key, no database.
    monkeypatch.setenv("KIRJURI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, out, _ = cli("verify-inquiry", debts, "--public-key", key.strip())
    assert code == 0 and out.startswith(f"verified: {len(events)} event")
    code, out, _ = cli("verify-inquiry", aino, "--public-key", key.strip())
    assert code == 0 and "all of subject" in out
    # One event of Aino's left out: refused, naming the statement.
    history["events"].pop(3)
    aino.write_text(json.dumps(history))
    code, out, err = cli("verify-inquiry", aino, "--public-key", key.strip())
    assert code == 1 and out.startswith("FAILED")
    assert "completeness: leaf" in err and "is not in the bundle" in err


def test_a_persons_complete_history_verifies(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    _other(kirjuri)
    made = kirjuri.inquiry(subject=subject)
    statement = made.bundle["completeness"]
    assert statement["stream"] == subject
    assert statement["count"] == made.events == len(kirjuri.merkle.leaves_of(subject))
    streams = {row["stream"] for row in kirjuri.merkle.leaves_between(0, 10**6)}
    assert statement["map_size"] == len(streams)  # subjects, and the policy's
    check = verify_inquiry(made.bundle, Verifier.parse(kirjuri.public_key()))
    assert (check.problems, check.complete_for) == ([], subject)


def test_a_tampered_bundle_is_refused_with_the_reason(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    other = _other(kirjuri)
    bundle = kirjuri.inquiry(subject=subject).bundle
    stranger = kirjuri.inquiry(subject=other).bundle["events"][0]

    dropped = copy.deepcopy(bundle)
    gone = dropped["events"].pop(2)
    assert _problems(kirjuri, dropped) == [
        f"completeness: leaf {gone['leaf_index']} of the subject is not in the "
        "bundle (1 missing)"
    ]
    # Dropped from the statement too: the map leaf no longer matches.
    dropped["completeness"]["leaf_indexes"].remove(gone["leaf_index"])
    dropped["completeness"]["count"] -= 1
    assert _problems(kirjuri, dropped) == [
        "completeness: the subject's map leaf does not reach the stream map "
        f"signed in checkpoint {kirjuri.checkpoint().checkpoint.size}"
    ]

    changed = copy.deepcopy(bundle)
    state = bytearray(base64.b64decode(changed["events"][1]["state"]))
    state[10] ^= 1
    changed["events"][1]["state"] = base64.b64encode(state).decode()
    sequence = changed["events"][1]["sequence"]
    assert _problems(kirjuri, changed) == [
        f"event 2 (seq {sequence}): its stored bytes do not have its leaf hash"
    ]

    unasked = copy.deepcopy(bundle)
    unasked["filter"]["subject"] = None
    assert _problems(kirjuri, unasked) == [
        "completeness: given, but the filter names no subject"
    ]

    slipped = copy.deepcopy(bundle)
    slipped["events"].append(stranger)
    (problem,) = _problems(kirjuri, slipped)
    assert problem.startswith(f"event {len(slipped['events'])} (seq ")
    assert problem.endswith(f"of stream {other}, not of the subject's")


def test_a_bundle_fails_against_another_key(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    bundle = kirjuri.inquiry(subject=subject).bundle
    other = Signer(kirjuri.origin, Ed25519PrivateKey.generate()).verifier
    check = verify_inquiry(bundle, other)
    assert check.problems == [
        f"checkpoint {check.size}: not signed by {kirjuri.origin}'s key "
        "(nor by a key it was handed over to or from)"
    ]


def test_a_map_proof_from_another_checkpoint_is_refused(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    earlier = kirjuri.inquiry(subject=subject).bundle
    _other(kirjuri)  # a new stream: the next checkpoint has another map
    later = kirjuri.inquiry(subject=subject).bundle
    assert later["checkpoint"] != earlier["checkpoint"]
    assert not _problems(kirjuri, later)
    for name in ("map_index", "map_size", "map_proof"):
        later["completeness"][name] = earlier["completeness"][name]
    (problem,) = _problems(kirjuri, later)
    assert problem.startswith("completeness: the subject's map leaf does not reach")


def test_a_subject_with_another_filter_gives_those_events_and_no_completeness(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    _other(kirjuri)
    whole = kirjuri.inquiry(subject=subject).bundle
    some = kirjuri.inquiry(subject=subject, recipient="delivery_partner").bundle
    assert whole["completeness"] is not None and some["completeness"] is None
    assert 0 < len(some["events"]) < len(whole["events"])
    assert {e["stream"] for e in some["events"]} == {whole["completeness"]["stream"]}
    key = Verifier.parse(kirjuri.public_key())
    assert verify_inquiry(some, key).problems == []
    # A filtered bundle passed off as complete is refused.
    claimed = some | {"completeness": whole["completeness"]}
    assert verify_inquiry(claimed, key).problems == [
        "completeness: given, but the filter is not a subject alone"
    ]


def test_a_checkpoint_signs_the_stream_map_and_rotation_keeps_it(
    kirjuri: Kirjuri, tmp_path: Path
) -> None:
    subject = rich_subject(kirjuri)
    stored = kirjuri.checkpoint().checkpoint
    claim = map_claim(stored)
    assert claim is not None and claim[0] >= 1
    old = kirjuri.public_key()
    kirjuri.rotate_signing_key(tmp_path / "signing.key")
    hand_over = kirjuri.checkpoints()[-1].checkpoint
    assert map_claim(hand_over) == claim and "Signing-Key: " in hand_over.note
    _other(kirjuri)
    bundle = kirjuri.inquiry(subject=subject).bundle
    # An auditor who kept the old key follows the hand-over in the bundle.
    assert verify_inquiry(bundle, Verifier.parse(old)).problems == []
    assert kirjuri.verify(use_witness=False).ok


def _store_note(kirjuri: Kirjuri, size: int, note: str) -> None:
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute(
            "UPDATE {p}kirjuri_checkpoints SET note = %s WHERE tree_size = %s",
            (note, size),
        )


def test_verify_fails_on_a_false_stream_map(kirjuri: Kirjuri) -> None:
    rich_subject(kirjuri)
    _other(kirjuri)
    stored = kirjuri.checkpoint().checkpoint
    assert kirjuri.verify(use_witness=False).ok
    # The operator signs a map that leaves a stream out: a valid signature.
    false = kirjuri.signer().sign(
        stored.size, stored.root, clock.now(), [map_line(1, bytes(32))]
    )
    _store_note(kirjuri, stored.size, false.note)
    result = kirjuri.verify(use_witness=False)
    assert [p.kind for p in result.problems] == ["map"]
    assert str(result.problems[0]).startswith(f"map: checkpoint {stored.size} (")
    streams = len({row["stream"] for row in kirjuri.merkle.leaves_between(0, 10**6)})
    assert f"(1 streams signed, {streams} in the log)" in str(result.problems[0])
    # The map root changed in the database: the signature fails too.
    lines = stored.note.split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith("Kirjuri-Streams: "))
    lines[at] = map_line(2, bytes(32))
    _store_note(kirjuri, stored.size, "\n".join(lines))
    kinds = sorted(p.kind for p in kirjuri.verify(use_witness=False).problems)
    assert kinds == ["map", "signature"]


def test_cli_gives_a_subjects_filtered_events_without_completeness(
    cli: Callable[..., tuple[int, str, str]], settings: Settings
) -> None:
    assert cli("init", "--policy", ROOT / "policies" / "fluiconnecto.toml")[0] == 0
    with Kirjuri.open(settings) as kirjuri:
        subject = _other(kirjuri)
    code, out, _ = cli("inquiry", "--subject", subject, "--type", "SubjectRegistered")
    assert code == 0
    bundle = json.loads(out)
    assert bundle["completeness"] is None
    assert [e["stored_name"] for e in bundle["events"]] == ["SubjectRegistered"]


def test_the_signed_map_is_the_one_docs_evidence_specifies(kirjuri: Kirjuri) -> None:
    rich_subject(kirjuri)
    _other(kirjuri)
    stored = kirjuri.checkpoint().checkpoint
    # Built by hand from docs/evidence.md §7, with hashlib alone.
    heads: dict[bytes, tuple[int, bytes]] = {}
    for row in kirjuri.merkle.leaves_between(0, stored.size - 1):
        key = UUID(row["stream"]).bytes
        count, head = heads.get(key, (0, bytes(32)))
        link = head + row["leaf_index"].to_bytes(8, "big") + bytes(row["hash"])
        heads[key] = (count + 1, hashlib.sha256(link).digest())
    leaves = [
        b"kirjuri/stream-head/v1\x00" + key + count.to_bytes(8, "big") + head
        for key, (count, head) in sorted(heads.items())
    ]
    line = f"Kirjuri-Streams: {len(leaves)} "
    line += base64.b64encode(merkle_root(leaves)).decode()
    assert stored.body.splitlines()[4] == line
