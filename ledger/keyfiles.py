"""The master key and key files: read, written new and synced, never over
anything else (a directory, a link, a device, another file)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import ConfigurationError, KeyUnavailable, KirjuriError
from ledger.sealed import NONCE_BYTES

if TYPE_CHECKING:
    from pathlib import Path
    from uuid import UUID

__all__ = [
    "KEY_BYTES",
    "KeyFileError",
    "MasterKey",
    "decode_key_text",
    "missing_master_key",
    "read_master_key",
    "sync_folder",
    "write_key_file",
]

KEY_BYTES = 32


class KeyFileError(KirjuriError):
    """A key file that cannot be written or put in place."""

    exit_code = 74  # EX_IOERR


def decode_key_text(text: str) -> bytes:
    """Key material given as 64 hex digits or as base64 (raises ValueError)."""
    text = text.strip()
    if len(text) == 64:
        return bytes.fromhex(text)
    return base64.b64decode(text, validate=True)


class MasterKey:
    """The key that wraps data keys; its id is a digest, never the key."""

    def __init__(self, key: bytes, origin: str = "master key") -> None:
        # Where the key came from, to name it in errors (never the key).
        self.origin = origin
        if len(key) != KEY_BYTES:
            raise ConfigurationError(
                f"KIRJURI_MASTER_KEY: must be {KEY_BYTES} bytes, got {len(key)}"
            )
        self.aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"kirjuri master key id\x00" + key).hexdigest()[
            :16
        ]

    @classmethod
    def from_text(cls, text: str, origin: str) -> MasterKey:
        """Accept 64 hex digits or base64 of 32 bytes."""
        try:
            raw = decode_key_text(text)
        except (ValueError, binascii.Error) as err:
            raise ConfigurationError(
                f"{origin}: not hex or base64 of {KEY_BYTES} bytes"
            ) from err
        try:
            return cls(raw, origin)
        except ConfigurationError as err:
            raise ConfigurationError(f"{origin}: must be {KEY_BYTES} bytes") from err

    def wrap(self, data_key: bytes, subject_id: UUID, retention_class: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = f"{subject_id}|{retention_class}".encode()
        return nonce + self.aead.encrypt(nonce, data_key, aad)

    def unwrap(self, wrapped: bytes, subject_id: UUID, retention_class: str) -> bytes:
        aad = f"{subject_id}|{retention_class}".encode()
        try:
            return self.aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag as err:
            raise KeyUnavailable(
                f"data key {retention_class} of subject {subject_id} does not "
                "unwrap with this master key"
            ) from err


def read_master_key(path: Path) -> MasterKey | None:
    """The key in a 0600 key file; None if there is no such file."""
    if not path.exists():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"{path}: master key file is readable by others (mode {mode:o}); "
            "chmod 600 it"
        )
    return MasterKey.from_text(path.read_text(), str(path))


def missing_master_key(path: Path) -> ConfigurationError:
    """The error for a key file that is not there: never "make a new one"."""
    return ConfigurationError(
        f"{path}: no master key file; restore it from your backup"
        " (or set KIRJURI_MASTER_KEY)"
    )


def write_key_file(path: Path, text: str) -> None:
    """A new 0600 key file, on disk (file and folder synced) when this
    returns; never over anything already at ``path``, link or device."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    sync_folder(path)


def sync_folder(path: Path) -> None:
    """Make a file's creation or rename in its folder durable."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
