"""Signed checkpoints in the transparency-dev / C2SP checkpoint format.

A checkpoint is a signed note (C2SP signed-note) whose text is::

    <origin>\\n
    <tree size, decimal>\\n
    <root hash, base64>\\n
    Timestamp: <ISO 8601, UTC>\\n

followed by a blank line and one signature line per signer::

    — <key name> <base64(key hash[4] ‖ Ed25519 signature of the text)>\\n

The key hash is the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public
key), as in signed-note; the verifier key is ``<name>+<hash hex>+<base64(0x01
‖ public key)>``. The origin names the ledger (``kirjuri/<ledger id>``).
Plain text, so an auditor can archive or publish it anywhere.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import ConfigurationError, KirjuriError
from ledger.keys import decode_key_text

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "Checkpoint",
    "NoteError",
    "Signer",
    "Verifier",
    "load_or_create_signing_key",
    "parse_checkpoint",
]

_ED25519 = b"\x01"
_DASH = "\u2014"


class NoteError(KirjuriError):
    """A checkpoint text that is not a well-formed signed note."""

    exit_code = 65


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    timestamp: datetime
    note: str  # the whole signed text, as issued

    @property
    def body(self) -> str:
        return self.note.split("\n\n", 1)[0] + "\n"


def _body(origin: str, size: int, root: bytes, timestamp: datetime) -> str:
    stamp = timestamp.astimezone(UTC).isoformat(timespec="seconds")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\nTimestamp: {stamp}\n"


def _key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + public).digest()[:4]


class Verifier:
    """Checks signatures of one key; built from a verifier key string."""

    def __init__(self, name: str, public: bytes) -> None:
        self.name = name
        self.public = public
        self.key_hash = _key_hash(name, public)
        self._key = Ed25519PublicKey.from_public_bytes(public)

    @classmethod
    def parse(cls, text: str) -> Verifier:
        try:
            name, hash_hex, key_b64 = text.strip().split("+", 2)
            raw = base64.b64decode(key_b64, validate=True)
        except (ValueError, binascii.Error) as err:
            raise ConfigurationError(
                "public key: expected <name>+<hash>+<base64 key> (kirjuri keys public)"
            ) from err
        if raw[:1] != _ED25519 or len(raw) != 33:
            raise ConfigurationError("public key: not an Ed25519 verifier key")
        verifier = cls(name, raw[1:])
        if verifier.key_hash.hex() != hash_hex:
            raise ConfigurationError("public key: its hash does not match its key")
        return verifier

    def __str__(self) -> str:
        encoded = base64.b64encode(_ED25519 + self.public).decode()
        return f"{self.name}+{self.key_hash.hex()}+{encoded}"

    def verifies(self, checkpoint: Checkpoint) -> bool:
        """True if a signature line of this key signs the checkpoint's text."""
        for line in checkpoint.note.split("\n\n", 1)[1].splitlines():
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != _DASH or parts[1] != self.name:
                continue
            try:
                raw = base64.b64decode(parts[2], validate=True)
            except binascii.Error:
                continue
            if raw[:4] != self.key_hash:
                continue
            try:
                self._key.verify(raw[4:], checkpoint.body.encode())
            except InvalidSignature:
                continue
            return True
        return False


class Signer:
    """Issues checkpoints signed by the ledger's Ed25519 key."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = name
        self._key = key
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, public)

    def sign(self, size: int, root: bytes, timestamp: datetime) -> Checkpoint:
        body = _body(self.name, size, root, timestamp)
        signature = self._key.sign(body.encode())
        line = base64.b64encode(self.verifier.key_hash + signature).decode()
        note = f"{body}\n{_DASH} {self.name} {line}\n"
        return Checkpoint(self.name, size, root, timestamp, note)


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a signed checkpoint note; its signatures are checked by a Verifier."""
    body, blank, signatures = text.partition("\n\n")
    lines = body.split("\n")
    if not blank or not signatures.strip() or len(lines) < 4:
        raise NoteError("checkpoint: not a signed note (origin, size, root, signature)")
    try:
        size = int(lines[1])
        root = base64.b64decode(lines[2], validate=True)
        stamp = next(x for x in lines[3:] if x.startswith("Timestamp: "))
        timestamp = datetime.fromisoformat(stamp.removeprefix("Timestamp: "))
    except (ValueError, binascii.Error, StopIteration) as err:
        raise NoteError(f"checkpoint: malformed text: {err}") from err
    if size < 0 or len(root) != 32:
        raise NoteError("checkpoint: size or root hash out of range")
    return Checkpoint(lines[0], size, root, timestamp, text)


def load_or_create_signing_key(
    path: Path, text: str | None, *, create: bool
) -> tuple[Ed25519PrivateKey, bool]:
    """The Ed25519 key: from KIRJURI_SIGNING_KEY text, or a 0600 file."""
    if text is not None:
        return _key_from_text(text, "KIRJURI_SIGNING_KEY"), False
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigurationError(
                f"{path}: signing key readable by others; chmod 600"
            )
        return _key_from_text(path.read_text(), str(path)), False
    if not create:
        raise ConfigurationError(
            f"{path}: no signing key; restore it from your backup"
            " (or set KIRJURI_SIGNING_KEY)"
        )
    seed = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(seed.hex() + "\n")
    return Ed25519PrivateKey.from_private_bytes(seed), True


def _key_from_text(text: str, origin: str) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(decode_key_text(text))
    except (ValueError, binascii.Error) as err:
        raise ConfigurationError(
            f"{origin}: not a 32-byte Ed25519 seed (hex or base64)"
        ) from err
