"""The map of stream heads: which leaves of the log are each stream's, signed.

A checkpoint of size N also commits to a second Merkle tree, the *stream
map*, with one leaf per stream (a subject's events) among the log's first N
leaves, in order of the stream id's 16 UUID bytes::

    map leaf = b"kirjuri/stream-head/v1\\x00"
               ‖ stream id (16 bytes)
               ‖ count (8 bytes, big-endian): the stream's leaves below N
               ‖ head: the stream's leaves chained in log order,
                 head_0 = 32 zero bytes,
                 head_k = SHA-256(head_k-1 ‖ leaf index (8 bytes,
                                  big-endian) ‖ leaf hash (32 bytes))

hashed as the log is (RFC 9162 §2.1, ledger.integrity). The head is a chain
rather than one hash over all the leaves so that it can be kept per stream
and extended by each new event: the notary keeps the heads in a table
(ledger.stream_table) and folds in only the leaves added since the last
checkpoint. The checkpoint note
carries ``Kirjuri-Streams: <number of streams> <base64 map root>`` among its
signed lines. With a map leaf and its inclusion proof, a verifier who has a
subject's events knows they are all of that subject's events at N: the
count, the indexes and the hashes are fixed by the operator's signature,
and anyone holding the database recomputes the map (`kirjuri verify`).
Pure: no database, importable by a third party.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.checkpoints import NoteError
from ledger.integrity import (
    EMPTY_ROOT,
    inclusion_ranges,
    leaf_hash,
    root_from_hashes,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ledger.checkpoints import Checkpoint

__all__ = [
    "EMPTY_HEAD",
    "EXTENSION",
    "MAP_LEAF_PREFIX",
    "StreamHeads",
    "head_digest",
    "map_claim",
    "map_leaf",
    "map_line",
    "next_head",
]

MAP_LEAF_PREFIX = b"kirjuri/stream-head/v1\x00"
EXTENSION = "Kirjuri-Streams: "


def _stream_bytes(stream: UUID | str | bytes) -> bytes:
    if isinstance(stream, bytes):
        return stream
    return (stream if isinstance(stream, UUID) else UUID(stream)).bytes


EMPTY_HEAD = bytes(32)


def next_head(head: bytes, index: int, hashed: bytes) -> bytes:
    return hashlib.sha256(head + index.to_bytes(8, "big") + hashed).digest()


def head_digest(leaves: Sequence[tuple[int, bytes]]) -> bytes:
    """The chained head of (leaf index, leaf hash) pairs, in the order given."""
    head = EMPTY_HEAD
    for index, hashed in leaves:
        head = next_head(head, index, hashed)
    return head


def map_leaf(stream: UUID | str | bytes, count: int, digest: bytes) -> bytes:
    return MAP_LEAF_PREFIX + _stream_bytes(stream) + struct.pack(">Q", count) + digest


def map_line(count: int, root: bytes) -> str:
    """The checkpoint's extension line (without its newline)."""
    return f"{EXTENSION}{count} {base64.b64encode(root).decode()}"


def map_claim(checkpoint: Checkpoint) -> tuple[int, bytes] | None:
    """The (number of streams, map root) a checkpoint signs; None when it
    carries no map (checkpoints made before the map existed)."""
    lines = [x for x in checkpoint.body.splitlines()[3:] if x.startswith(EXTENSION)]
    if not lines:
        return None
    try:
        (line,) = lines
        count_text, root_text = line.removeprefix(EXTENSION).split(" ")
        count, root = int(count_text), base64.b64decode(root_text, validate=True)
    except (ValueError, binascii.Error) as err:
        raise NoteError(
            f"checkpoint {checkpoint.size}: malformed {EXTENSION.strip()} line"
        ) from err
    if count < 0 or len(root) != 32:
        raise NoteError(
            f"checkpoint {checkpoint.size}: {EXTENSION.strip()} out of range"
        )
    return count, root


class StreamHeads:
    """The map built leaf by leaf, in log order; its root at any moment.

    Each stream keeps its running head, so a pass over the log (or the
    Merkle log's stored leaves) computes the map in O(N), and the root at a
    checkpoint costs O(streams) (only streams that moved are re-hashed)."""

    def __init__(self) -> None:
        self._running: dict[bytes, list[Any]] = {}  # stream -> [count, head]
        self._leaves: dict[bytes, bytes] = {}  # stream -> map leaf hash
        self._moved: set[bytes] = set()
        self._ids: dict[str, bytes] = {}  # stream id text -> bytes, parsed once
        self._order: list[bytes] = []  # map order, sorted again for new streams

    def add(self, stream: UUID | str | bytes, index: int, hashed: bytes) -> None:
        if isinstance(stream, str):
            key = self._ids.get(stream)
            if key is None:
                key = self._ids[stream] = _stream_bytes(stream)
        else:
            key = _stream_bytes(stream)
        running = self._running.get(key)
        if running is None:
            running = self._running[key] = [0, EMPTY_HEAD]
        running[0] += 1
        running[1] = hashlib.sha256(
            running[1] + index.to_bytes(8, "big") + hashed
        ).digest()
        self._moved.add(key)

    def extend(
        self, streams: Sequence[bytes], first: int, hashes: Sequence[bytes]
    ) -> None:
        """`add` for consecutive leaves from index ``first``: each leaf's
        stream (16 bytes) and hash, in one loop."""
        running_of, moved, sha256 = self._running, self._moved, hashlib.sha256
        for index, (key, hashed) in enumerate(zip(streams, hashes, strict=True), first):
            running = running_of.get(key)
            if running is None:
                running = running_of[key] = [0, EMPTY_HEAD]
            running[0] += 1
            running[1] = sha256(running[1] + index.to_bytes(8, "big") + hashed).digest()
            moved.add(key)

    def _settle(self) -> None:
        for key in self._moved:
            count, head = self._running[key]
            self._leaves[key] = leaf_hash(map_leaf(key, count, head))
        self._moved.clear()

    def _ordered(self) -> list[bytes]:
        self._settle()
        if len(self._order) != len(self._leaves):
            self._order = sorted(self._leaves)
        return [self._leaves[key] for key in self._order]

    def claim(self) -> tuple[int, bytes]:
        """(number of streams, map root) over the leaves added so far."""
        ordered = self._ordered()
        return len(ordered), root_from_hashes(ordered) if ordered else EMPTY_ROOT

    def proof(self, stream: UUID | str | bytes) -> tuple[int, int, list[bytes]]:
        """A stream's (map index, map size, inclusion proof); KeyError when
        the stream has no leaf."""
        key = _stream_bytes(stream)
        if key not in self._running:
            raise KeyError(str(UUID(bytes=key)))
        ordered = self._ordered()
        index = self._order.index(key)
        ranges = inclusion_ranges(index, len(ordered))
        return index, len(ordered), [root_from_hashes(ordered[a:b]) for a, b in ranges]
