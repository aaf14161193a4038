"""The Merkle leaf of a stored event: a canonical encoding of it as persisted.

    leaf = b"kirjuri/event/v1\\x00"
           ‖ stream id (16 bytes, the UUID's big-endian bytes)
           ‖ version (8 bytes, big-endian, unsigned)
           ‖ len(stored name) (2 bytes, big-endian) ‖ stored name (UTF-8)
           ‖ len(state) (4 bytes, big-endian) ‖ state (the stored bytes)

The state is the stored, encrypted form, so destroying a subject's keys
(erasure) leaves every leaf, root and proof intact. An auditor can rebuild a
leaf from a database row, or from an evidence file, with this alone.
"""

from __future__ import annotations

import struct
from uuid import UUID

__all__ = ["LEAF_PREFIX", "encode_leaf"]

LEAF_PREFIX = b"kirjuri/event/v1\x00"


def encode_leaf(
    stream: UUID | str, version: int, stored_name: str, state: bytes
) -> bytes:
    stream_id = stream if isinstance(stream, UUID) else UUID(stream)
    name = stored_name.encode()
    return b"".join(
        (
            LEAF_PREFIX,
            stream_id.bytes,
            struct.pack(">QH", version, len(name)),
            name,
            struct.pack(">I", len(state)),
            state,
        )
    )
