"""Personal values as they are stored: sealed with AES-256-GCM.

A `Sealed` value names the retention class whose data key sealed it; the
subject is the event's stream. The additional authenticated data binds the
ciphertext to subject, class and category, so a sealed value cannot be moved
to another subject or category without failing to open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from pydantic import BaseModel, ConfigDict, Field

from ledger.errors import KeyUnavailable

if TYPE_CHECKING:
    from uuid import UUID

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "NONCE_BYTES",
    "Sealed",
    "blind_index",
    "open_value",
    "seal_value",
    "sealed_keys",
]

NONCE_BYTES = 12


class Sealed(BaseModel):
    """An encrypted personal value: `box` is base64(nonce ‖ ciphertext ‖ tag)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(description="retention class of the data key")
    box: str


def sealed_keys(model: BaseModel) -> set[str]:
    """The retention classes whose data keys seal a model's values."""
    return {value.key for value in model.__dict__.values() if isinstance(value, Sealed)}


def _aad(subject_id: UUID, retention_class: str, category: str) -> bytes:
    return f"{subject_id}|{retention_class}|{category}".encode()


def seal_value(
    aead: AESGCM, subject_id: UUID, retention_class: str, category: str, value: str
) -> Sealed:
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = aead.encrypt(
        nonce, value.encode(), _aad(subject_id, retention_class, category)
    )
    return Sealed(
        key=retention_class, box=base64.b64encode(nonce + ciphertext).decode()
    )


def open_value(aead: AESGCM, subject_id: UUID, category: str, sealed: Sealed) -> str:
    raw = base64.b64decode(sealed.box)
    try:
        plain = aead.decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(subject_id, sealed.key, category)
        )
    except InvalidTag as err:
        raise KeyUnavailable(
            f"value of {category} for subject {subject_id} does not open"
        ) from err
    return plain.decode()


def normalise_lookup(value: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def blind_index(index_key: bytes, category: str, value: str) -> str:
    """A keyed hash to find a subject by value without storing the value."""
    message = f"{category}\x00{normalise_lookup(value)}".encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()
