"""Signing-key rotation as transparency logs do it: the new key is announced
in a checkpoint the old key signs, and each key is trusted for its span."""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from commands.service import Kirjuri
from ledger import clock
from ledger.checkpoints import Signer, Verifier
from ledger.notary import Notary
from tests.test_erasure import rich_subject, run
from tests.test_key_rotation import POLICY

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from commands.bootstrap import Settings


def _register(kirjuri: Kirjuri, company: str) -> None:
    run(kirjuri, kind="register", company=company, source="subject")


def _verified(kirjuri: Kirjuri, *external: str) -> tuple[bool, list[str]]:
    result = kirjuri.verify(checkpoints=external)
    return result.ok, [str(p) for p in result.problems]


def test_after_a_rotation_old_and_new_checkpoints_verify(
    kirjuri: Kirjuri, settings: Settings, tmp_path: Path
) -> None:
    rich_subject(kirjuri)
    first = kirjuri.checkpoint().checkpoint
    old = Verifier.parse(kirjuri.public_key())
    rotation = kirjuri.rotate_signing_key(tmp_path / "signing.key")
    assert rotation.from_size == first.size
    new = Verifier.parse(rotation.public_key)
    _register(kirjuri, "Myöhemmin Oy")
    later = kirjuri.checkpoint().checkpoint
    assert later.size > first.size
    assert new.verifies(later) and not old.verifies(later)
    handover = kirjuri.checkpoints()[0].checkpoint
    assert old.verifies(handover) and new.verifies(handover)
    assert f"Signing-Key: {new}" in handover.note
    assert _verified(kirjuri) == (True, [])
    # An auditor holding the old key learns the new one from the hand-over.
    with Kirjuri.open(settings) as holding_old:
        assert _verified(holding_old) == (True, [])
    # Reopened with the new key only: it trusts the old one for its span.
    key = (tmp_path / "signing.key").read_text().strip()
    with Kirjuri.open(replace(settings, signing_key=key)) as reopened:
        assert reopened.public_key() == str(new)
        assert reopened.public_keys() == [(0, str(old)), (first.size, str(new))]
        assert _verified(reopened) == (True, [])
        _register(reopened, "Kolmas Oy")
        reopened.checkpoint()
        assert _verified(reopened) == (True, [])


def test_a_checkpoint_signed_by_an_unannounced_key_fails(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    rich_subject(kirjuri)
    stored = kirjuri.checkpoint().checkpoint
    stranger = Signer(kirjuri.origin, Ed25519PrivateKey.generate())
    forged = stranger.sign(stored.size, stored.root, clock.now())
    ok, problems = _verified(kirjuri, forged.note)
    assert not ok
    assert any("not signed by this ledger's key" in p for p in problems)
    # A new key put in place without a hand-over: the old checkpoints fail.
    with Kirjuri.open(replace(settings, signing_key=secrets.token_hex(32))) as other:
        ok, problems = _verified(other)
    assert not ok and any("not signed by this ledger's key" in p for p in problems)


def test_a_hand_over_the_old_key_did_not_sign_is_not_trusted(
    kirjuri: Kirjuri, settings: Settings
) -> None:
    rich_subject(kirjuri)
    stored = kirjuri.checkpoint().checkpoint
    thief = Signer(kirjuri.origin, Ed25519PrivateKey.generate())
    impostor = Signer(kirjuri.origin, Ed25519PrivateKey.generate())
    forged = impostor.hand_over(thief, stored.size, stored.root, stored.timestamp)
    kirjuri.notary.store_hand_over(forged)
    with Kirjuri.open(settings) as reopened:
        assert reopened.public_keys() == [(0, kirjuri.public_key())]
        ok, problems = _verified(reopened)
    assert not ok
    assert any("not signed by this ledger's key" in p for p in problems)


def test_cli_rotation_replaces_the_key_file_and_prints_the_history(
    cli: Callable[..., tuple[int, str, str]],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "signing.key"
    key_file.write_text((settings.signing_key or "") + "\n")
    key_file.chmod(0o600)
    monkeypatch.setenv("KIRJURI_SIGNING_KEY", "")
    monkeypatch.setenv("KIRJURI_SIGNING_KEY_FILE", str(key_file))
    assert cli("init", "--policy", POLICY)[0] == 0
    code, out, err = cli("register", "--company", "Pumppu Oy", "--source", "subject")
    assert code == 0, err
    _, old, _ = cli("keys", "public")
    code, out, err = cli("keys", "rotate-signing")
    assert code == 0, err
    assert key_file.read_text() != (settings.signing_key or "") + "\n"
    assert not key_file.with_name("signing.key.new").exists()
    cli("register", "--company", "Toinen Oy", "--source", "subject")
    assert cli("checkpoint")[0] == 0
    code, out, err = cli("verify")
    assert code == 0, err
    code, out, _ = cli("keys", "public", "--all")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0] == f"0\t{old.strip()}"


def test_a_rotation_cut_short_after_its_hand_over_puts_the_new_key_in_place(
    kirjuri: Kirjuri,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "signing.key"
    key_file.write_text((settings.signing_key or "") + "\n")
    key_file.chmod(0o600)
    filed = replace(settings, signing_key=None, signing_key_file=key_file)
    rich_subject(kirjuri)

    def crash(*_: object) -> None:
        raise KeyboardInterrupt

    with Kirjuri.open(filed) as opened, monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(KeyboardInterrupt):
            opened.rotate_signing_key()
    pending = key_file.with_name("signing.key.new").read_text()
    with Kirjuri.open(filed) as reopened:
        reopened.checkpoint()
        assert _verified(reopened) == (True, [])
    assert key_file.read_text() == pending


def test_a_rotation_cut_short_before_its_hand_over_keeps_the_old_key(
    kirjuri: Kirjuri,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_file = tmp_path / "signing.key"
    key_file.write_text((settings.signing_key or "") + "\n")
    key_file.chmod(0o600)
    filed = replace(settings, signing_key=None, signing_key_file=key_file)
    rich_subject(kirjuri)

    def crash(*_: object) -> None:
        raise KeyboardInterrupt

    with Kirjuri.open(filed) as opened, monkeypatch.context() as patch:
        patch.setattr(Notary, "store_hand_over", crash)
        with pytest.raises(KeyboardInterrupt):
            opened.rotate_signing_key()
    assert key_file.with_name("signing.key.new").exists()
    with Kirjuri.open(filed) as reopened:
        _register(reopened, "Myöhemmin Oy")
        reopened.checkpoint()
        assert _verified(reopened) == (True, [])
        assert len(reopened.public_keys()) == 1
    assert key_file.read_text() == (settings.signing_key or "") + "\n"
    assert not key_file.with_name("signing.key.new").exists()


def test_a_witness_given_the_new_key_accepts_what_it_saw_under_the_old(
    kirjuri: Kirjuri, tmp_path: Path
) -> None:
    """An auditor's witness keeps checkpoints signed by the old key; after a
    rotation it is handed the new public key and trusts the old one for its
    span through the hand-over, as verify does."""
    rich_subject(kirjuri)
    kirjuri.checkpoint()
    folder = tmp_path / "auditor"
    assert kirjuri.witness(folder, kirjuri.public_key()).ok
    rotation = kirjuri.rotate_signing_key(tmp_path / "signing.key")
    _register(kirjuri, "Myöhemmin Oy")
    kirjuri.checkpoint()
    run_ = kirjuri.witness(folder, rotation.public_key)
    assert run_.problems == ()
    assert run_.recorded
    # A key that no hand-over names is still refused.
    stranger = Signer(kirjuri.origin, Ed25519PrivateKey.generate())
    refused = kirjuri.witness(folder, str(stranger.verifier))
    assert not refused.ok
