"""Checkpoint notes: signing, parsing and verifier keys, with no database."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoints import NoteError, Signer, Verifier, parse_checkpoint
from ledger.errors import ConfigurationError

WHEN = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)


def _signer() -> Signer:
    return Signer("kirjuri/test", Ed25519PrivateKey.from_private_bytes(os.urandom(32)))


def test_verifier_keys_round_trip_whatever_their_base64_holds() -> None:
    for _ in range(64):  # base64 of random keys often holds '+' and '/'
        verifier = _signer().verifier
        assert Verifier.parse(str(verifier)).public == verifier.public


def test_a_signed_note_parses_and_verifies_and_a_changed_one_does_not() -> None:
    signer = _signer()
    checkpoint = signer.sign(42, bytes(range(32)), WHEN)
    parsed = parse_checkpoint(checkpoint.note)
    assert (parsed.origin, parsed.size, parsed.root) == (
        "kirjuri/test",
        42,
        bytes(range(32)),
    )
    assert parsed.timestamp == WHEN
    assert signer.verifier.verifies(parsed)
    changed = parse_checkpoint(checkpoint.note.replace("\n42\n", "\n43\n"))
    assert not signer.verifier.verifies(changed)
    assert not _signer().verifier.verifies(parsed)  # another ledger's key


@pytest.mark.parametrize(
    "text",
    ["", "kirjuri/test\n42\n", "kirjuri/test\nx\nAAAA\nTimestamp: 2025\n\n— k s\n"],
)
def test_malformed_notes_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_a_malformed_verifier_key_names_the_problem() -> None:
    with pytest.raises(ConfigurationError, match="public key"):
        Verifier.parse("not a key")
