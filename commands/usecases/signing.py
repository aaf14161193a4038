"""Signing-key rotation, as transparency logs do it (docs/evidence.md).

The tree as it is now is signed by the old key, then that checkpoint is
replaced by a hand-over signed by both keys that names the new one; the new
key signs every later checkpoint. Verifiers trust each key for its span.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from commands.usecases.lifecycle import check_key_target
from commands.usecases.views import SigningRotation
from ledger.checkpoints import KeyRing, Signer, Verifier, announcement
from ledger.errors import InvalidCommand
from ledger.keys import KeyFileError, sync_folder, write_key_file
from ledger.streams import EXTENSION

if TYPE_CHECKING:
    from pathlib import Path

    from commands.service import Kirjuri

__all__ = ["key_ring", "rotate_signing_key", "settle_signing_rotation"]

log = structlog.get_logger("kirjuri.signing")


def rotate_signing_key(
    kirjuri: Kirjuri, target: Path | None
) -> tuple[SigningRotation, Signer]:
    """A new Ed25519 key in ``target`` (default: the signing key file),
    announced in a checkpoint the old key signs; returns it to sign with."""
    settings = kirjuri.settings
    if target is None:
        if settings.signing_key is not None:
            raise InvalidCommand(
                "new-key-file", "KIRJURI_SIGNING_KEY is set: name a file"
            )
        target = settings.signing_file
    target = target.absolute()
    current = None if settings.signing_key else settings.signing_file
    check_key_target(target, current)
    # A new file is written in place; the key file in use is replaced only
    # once the hand-over is stored (a crash in between: settled at start).
    written = target.with_name(target.name + ".new") if target.exists() else target
    if written.exists() or written.is_symlink():
        raise InvalidCommand(
            "new-key-file", f"{written}: left from an earlier rotation; remove it"
        )
    old = kirjuri.signer()
    seed = os.urandom(32)
    new = Signer(old.name, Ed25519PrivateKey.from_private_bytes(seed))
    stored = kirjuri.checkpoint().checkpoint
    try:
        write_key_file(written, seed.hex() + "\n")
    except OSError as err:
        raise KeyFileError(f"new-key-file: {written}: {err.strerror}") from err
    kept = [x for x in stored.body.splitlines()[3:] if x.startswith(EXTENSION)]
    hand_over = old.hand_over(new, stored.size, stored.root, stored.timestamp, kept)
    kirjuri.notary.store_hand_over(hand_over)
    if written != target:
        _put_in_place(written, target)
    log.warning("signing key rotated", size=stored.size, new=str(new.verifier))
    new.verifier = key_ring(kirjuri, new.verifier)
    view = SigningRotation(
        from_size=stored.size, public_key=str(new.verifier), key_file=str(target)
    )
    return view, new


def _put_in_place(written: Path, target: Path) -> None:
    try:
        os.replace(written, target)
        sync_folder(target)
    except OSError as err:
        raise KeyFileError(
            f"new-key-file: {target}: {err.strerror}; the new signing key is in "
            f"{written}: move it there"
        ) from err


def settle_signing_rotation(kirjuri: Kirjuri) -> None:
    """A rotation cut short after its hand-over was stored: put the new key
    in place; one whose hand-over never was stored is dropped."""
    settings = kirjuri.settings
    if settings.signing_key is not None:
        return
    pending = settings.signing_file.with_name(settings.signing_file.name + ".new")
    if not pending.exists():
        return
    try:
        key = Signer(kirjuri.origin, _load(pending))
    except (OSError, ValueError):
        return
    named = [announcement(s.checkpoint) for s in kirjuri.notary.all()]
    announced = [pair for pair in named if pair is not None]
    if announced and announced[-1][1] == str(key.verifier):
        _put_in_place(pending, settings.signing_file)
        log.warning("finished an interrupted signing key rotation")
    else:
        pending.unlink()
        log.warning("discarded the key of a signing rotation that did not happen")


def _load(path: Path) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text()))


def key_ring(kirjuri: Kirjuri, current: Verifier) -> KeyRing:
    """The keys ``current`` trusts, each for its span (itself alone if it
    was never announced)."""
    return KeyRing(current, [s.checkpoint for s in kirjuri.notary.all()])
