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

A new signing key is announced as transparency logs do (docs/evidence.md):
the checkpoint at the tree size of the hand-over carries two extension lines,
``Previous-Key: <old verifier key>`` and ``Signing-Key: <new verifier key>``,
and is signed by both keys. A `KeyRing` trusts each key of an unbroken chain
of such hand-overs for its span of tree sizes.
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
    from collections.abc import Iterable, Sequence
    from pathlib import Path

__all__ = [
    "Checkpoint",
    "KeyRing",
    "NoteError",
    "Signer",
    "Verifier",
    "load_or_create_signing_key",
    "parse_checkpoint",
]

_ED25519 = b"\x01"
_DASH = "\u2014"
_PREVIOUS = "Previous-Key: "
_NEXT = "Signing-Key: "


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


def _lines(extensions: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in extensions)


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


def announcement(checkpoint: Checkpoint) -> tuple[str, str] | None:
    """The (previous, new) verifier keys a hand-over checkpoint names."""
    lines = checkpoint.body.splitlines()[3:]
    previous = [x.removeprefix(_PREVIOUS) for x in lines if x.startswith(_PREVIOUS)]
    new = [x.removeprefix(_NEXT) for x in lines if x.startswith(_NEXT)]
    if len(previous) != 1 or len(new) != 1:
        return None
    return previous[0], new[0]


class KeyRing(Verifier):
    """The current key and the keys before it, each trusted for its span.

    Spans come from hand-over checkpoints signed by both keys: the old key
    signs checkpoints up to the hand-over's size, the new one from it on. A
    chain that does not reach the current key (an unannounced key) trusts
    the current key alone, so earlier checkpoints then fail."""

    def __init__(self, current: Verifier, checkpoints: Iterable[Checkpoint]) -> None:
        super().__init__(current.name, current.public)
        chain = _chain(checkpoints)
        if not any(str(key) == str(current) for _, key in chain):
            chain = [(0, Verifier(current.name, current.public))]
        ends = [start for start, _ in chain[1:]] + [None]
        self.spans: list[tuple[int, int | None, Verifier]] = [
            (start, end, key) for (start, key), end in zip(chain, ends, strict=True)
        ]

    def verifies(self, checkpoint: Checkpoint) -> bool:
        return any(
            start <= checkpoint.size
            and (end is None or checkpoint.size <= end)
            and key.verifies(checkpoint)
            for start, end, key in self.spans
        )


def _chain(checkpoints: Iterable[Checkpoint]) -> list[tuple[int, Verifier]]:
    """(first tree size, key) along the unbroken chain of hand-overs."""
    chain: list[tuple[int, Verifier]] = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.size):
        named = announcement(checkpoint)
        if named is None:
            continue
        try:
            previous, new = Verifier.parse(named[0]), Verifier.parse(named[1])
        except ConfigurationError:
            continue
        if not (previous.verifies(checkpoint) and new.verifies(checkpoint)):
            continue
        if not chain:
            chain.append((0, previous))
        elif str(chain[-1][1]) != str(previous):
            break  # a fork or a gap: nothing after it is trusted
        chain.append((checkpoint.size, new))
    return chain


class Signer:
    """Issues checkpoints signed by the ledger's Ed25519 key."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = name
        self._key = key
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, public)

    def sign(
        self,
        size: int,
        root: bytes,
        timestamp: datetime,
        extensions: Sequence[str] = (),
    ) -> Checkpoint:
        """``extensions``: signed lines after the timestamp (a stream map)."""
        body = _body(self.name, size, root, timestamp) + _lines(extensions)
        signature = self._key.sign(body.encode())
        line = base64.b64encode(self.verifier.key_hash + signature).decode()
        note = f"{body}\n{_DASH} {self.name} {line}\n"
        return Checkpoint(self.name, size, root, timestamp, note)

    def hand_over(
        self,
        new: Signer,
        size: int,
        root: bytes,
        timestamp: datetime,
        extensions: Sequence[str] = (),
    ) -> Checkpoint:
        """A checkpoint announcing ``new`` as the next key, signed by both;
        ``extensions`` (the stream map) are kept from the checkpoint replaced."""
        body = _body(self.name, size, root, timestamp) + _lines(extensions)
        body += f"{_PREVIOUS}{self.verifier}\n{_NEXT}{new.verifier}\n"
        lines = [
            f"{_DASH} {self.name} {signer.signature(body)}\n" for signer in (self, new)
        ]
        return Checkpoint(self.name, size, root, timestamp, f"{body}\n{''.join(lines)}")

    def signature(self, body: str) -> str:
        signature = self._key.sign(body.encode())
        return base64.b64encode(self.verifier.key_hash + signature).decode()


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
