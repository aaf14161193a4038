"""The Merkle log of the ledger, kept as a tracked read model of stored bytes.

Leaf i is the i-th stored event in the notification log's order. The table
of leaves and the table of complete subtree hashes make an append O(log n)
(amortised O(1)) and let a proof be served with O(log n) node reads.

Why a tracked read model and not part of the append: the eventsourcing
library owns the append transaction on both backends, and a tracked model
applies every notification in order, exactly once, with its tracking row in
the same transaction, so it never skips an event. The tables are a cache:
`kirjuri verify` recomputes every hash from the stored events and trusts
only signed checkpoints. A cache that no longer continues the log (its
tables emptied or cut short) is rebuilt from the stored events before the
next append, so a write never stores its event and then fails to sign.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import structlog

from ledger.integrity import (
    EMPTY_ROOT,
    consistency_ranges,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    subtrees,
)
from ledger.leaves import encode_leaf
from projections.base import Batch, ReadModel

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from eventsourcing.persistence import Notification

    from ledger.events import SubjectEvent
    from ledger.storage import Cursor, Database, PortableCursor

    # The stored log: notifications after a sequence (None: from the first).
    LogReader = Callable[[int | None, int], Sequence[Notification]]

__all__ = ["MerkleModel", "MerkleStore"]

log = structlog.get_logger("kirjuri.merkle")

REBUILD_BATCH = 5000


class MerkleModel(ReadModel):
    name: ClassVar[str] = "merkle"
    needs_events: ClassVar[bool] = False
    tables: ClassVar[tuple[str, ...]] = (
        "kirjuri_merkle_leaves",
        "kirjuri_merkle_nodes",
    )
    ddl: ClassVar[tuple[str, ...]] = (
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_merkle_leaves ("
        " leaf_index {bigint} PRIMARY KEY, notification_id {bigint} NOT NULL UNIQUE,"
        " stream TEXT NOT NULL, version {bigint} NOT NULL, topic TEXT NOT NULL,"
        " hash {blob} NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {p}kirjuri_merkle_nodes ("
        " level INTEGER NOT NULL, node_index {bigint} NOT NULL, hash {blob} NOT NULL,"
        " PRIMARY KEY (level, node_index))",
    )

    def __init__(self, stored_log: LogReader | None = None) -> None:
        # The right edge's complete subtrees, (level, index, hash), kept
        # between batches; reloaded when another process moved the tree.
        self._size = -1
        self._frontier: list[tuple[int, int, bytes]] = []
        self._log = stored_log  # to check (and rebuild) the cache against

    def apply(self, event: SubjectEvent, cursor: Cursor, notification_id: int) -> None:
        raise NotImplementedError("the Merkle log is built from stored bytes")

    def apply_batch(self, cursor: Cursor, batch: Batch) -> None:
        try:
            self._append(cursor, batch)
        except BaseException:
            self._size = -1  # the edge was changed for rows that may not commit
            raise

    def _append(self, cursor: Cursor, batch: Batch) -> None:
        size = _size(cursor)
        if size != self._size:  # a new process, or another one moved the tree
            first = batch[0][0].id
            try:
                if not self._continues(cursor, size, first):
                    raise LookupError("the stored leaves stop before this batch")
                self._frontier = _load_frontier(cursor, size)
            except LookupError as err:
                size = self._rebuild(cursor, first, str(err))
        self._size = self._write(cursor, [n for n, _ in batch], size)

    def _continues(self, cursor: Cursor, size: int, first: int) -> bool:
        """True if no stored event lies between the last leaf and ``first``."""
        if self._log is None:
            return True
        last = None
        if size:
            cursor.execute(
                "SELECT notification_id FROM {p}kirjuri_merkle_leaves"
                " WHERE leaf_index = %s",
                (size - 1,),
            )
            row = cursor.fetchone()
            if row is None:
                return False
            last = int(row["notification_id"])
        following = self._log(last, 1)
        return not following or following[0].id >= first

    def covers(self, cursor: Cursor, position: int) -> bool:
        """Whether the tables reach ``position``, the last event this model's
        tracking says it applied (a read: no transaction to commit)."""
        size = _size(cursor)
        if not size:
            return position <= 0
        cursor.execute(
            "SELECT notification_id FROM {p}kirjuri_merkle_leaves"
            " WHERE leaf_index = %s",
            (size - 1,),
        )
        row = cursor.fetchone()
        return (0 if row is None else int(row["notification_id"])) >= position

    def mend(self, cursor: Cursor, position: int) -> bool:
        """Rebuild the tables if they stop before ``position``, the last
        event this model's tracking says it applied; True if it did."""
        if self.covers(cursor, position):
            return False
        self._size = self._rebuild(
            cursor, position + 1, "leaves stop before its position"
        )
        return True

    def _rebuild(self, cursor: Cursor, first: int, reason: str) -> int:
        """Recompute the leaves and nodes of every stored event before
        ``first``: the tables are a cache of the log, the log is the truth."""
        if self._log is None:
            raise LookupError(reason)
        log.warning("Merkle log tables rebuilt from the stored events", reason=reason)
        cursor.execute("DELETE FROM {p}kirjuri_merkle_leaves")
        cursor.execute("DELETE FROM {p}kirjuri_merkle_nodes")
        self._frontier, size, after = [], 0, None
        while True:
            found = [n for n in self._log(after, REBUILD_BATCH) if n.id < first]
            if not found:
                return size
            size = self._write(cursor, found, size)
            after = found[-1].id

    def _write(
        self, cursor: Cursor, notifications: Sequence[Notification], size: int
    ) -> int:
        """Append leaves from position ``size``; returns the new size."""
        leaves, nodes = [], []
        for notification in notifications:
            hashed = leaf_hash(
                encode_leaf(
                    notification.originator_id,
                    notification.originator_version,
                    notification.topic,
                    notification.state,
                )
            )
            leaves.append(
                (
                    size,
                    notification.id,
                    str(notification.originator_id),
                    notification.originator_version,
                    notification.topic,
                    hashed,
                )
            )
            level, index, node = 0, size, hashed
            while index & 1:  # a right child completes its parent
                node = node_hash(self._frontier.pop()[2], node)
                level, index = level + 1, index >> 1
                nodes.append((level, index, node))
            self._frontier.append((level, index, node))
            size += 1
        cursor.executemany(
            "INSERT INTO {p}kirjuri_merkle_leaves (leaf_index, notification_id,"
            " stream, version, topic, hash) VALUES (%s, %s, %s, %s, %s, %s)",
            leaves,
        )
        if nodes:
            cursor.executemany(
                "INSERT INTO {p}kirjuri_merkle_nodes (level, node_index, hash)"
                " VALUES (%s, %s, %s)",
                nodes,
            )
        return size


def _size(cursor: Cursor) -> int:
    cursor.execute("SELECT MAX(leaf_index) AS top FROM {p}kirjuri_merkle_leaves")
    top = cursor.fetchone()["top"]
    return 0 if top is None else int(top) + 1


def _load_frontier(cursor: Cursor, size: int) -> list[tuple[int, int, bytes]]:
    parts = subtrees(0, size)
    found = _fetch(cursor, parts)
    return [(level, index, found[level, index]) for level, index in parts]


def _fetch(
    cursor: Cursor, parts: list[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """Hashes of complete subtrees, in two queries (leaves, then nodes)."""
    found: dict[tuple[int, int], bytes] = {}
    leaves = sorted({index for level, index in parts if level == 0})
    nodes = sorted({(level, index) for level, index in parts if level > 0})
    for chunk in _chunks(leaves):
        placeholders = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            "SELECT leaf_index, hash FROM {p}kirjuri_merkle_leaves"
            f" WHERE leaf_index IN ({placeholders})",
            tuple(chunk),
        )
        for row in cursor.fetchall():
            found[0, int(row["leaf_index"])] = bytes(row["hash"])
    for chunk in _chunks(nodes):
        condition = " OR ".join(["(level = %s AND node_index = %s)"] * len(chunk))
        cursor.execute(
            "SELECT level, node_index, hash FROM {p}kirjuri_merkle_nodes"
            f" WHERE {condition}",
            tuple(value for pair in chunk for value in pair),
        )
        for row in cursor.fetchall():
            found[int(row["level"]), int(row["node_index"])] = bytes(row["hash"])
    missing = [part for part in parts if part not in found]
    if missing:
        raise LookupError(f"Merkle subtree {missing[0]} is not stored")
    return found


def _chunks(items: list[Any], size: int = 400) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class MerkleStore:
    """Roots and proofs served from the stored tree (no pass over the log)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def size(self) -> int:
        with self.database.transaction(commit=False) as cursor:
            return _size(cursor)

    def _range_hashes(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        parts = {r: subtrees(*r) for r in ranges}
        needed = sorted({p for ps in parts.values() for p in ps})
        with self.database.transaction(commit=False) as cursor:
            found = _fetch(cursor, needed)
        return [_combine([found[p] for p in parts[r]]) for r in ranges]

    def root(self, size: int) -> bytes:
        if size == 0:
            return EMPTY_ROOT
        return self._range_hashes([(0, size)])[0]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return self._range_hashes(inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, size: int) -> list[bytes]:
        if old_size in (0, size):
            return []
        return self._range_hashes(consistency_ranges(old_size, size))

    def leaf(self, notification_id: int) -> dict[str, Any] | None:
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT * FROM {p}kirjuri_merkle_leaves WHERE notification_id = %s",
                (notification_id,),
            )
            row = cursor.fetchone()
        return None if row is None else dict(row)

    def leaves_between(self, first: int, last: int) -> list[dict[str, Any]]:
        """Stored leaves with ``first <= leaf_index <= last``, in log order."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT * FROM {p}kirjuri_merkle_leaves WHERE leaf_index >= %s"
                " AND leaf_index <= %s ORDER BY leaf_index",
                (first, last),
            )
            return [dict(row) for row in cursor.fetchall()]

    def stream_leaves(self, first: int, last: int) -> list[tuple[int, str, bytes]]:
        """(leaf index, stream, hash) with ``first <= leaf_index <= last``, in
        log order: what the stream map (ledger.streams) is built from."""
        with self.database.transaction(commit=False) as cursor:
            return self.stream_leaves_at(cursor, first, last)

    @staticmethod
    def stream_leaves_at(
        cursor: PortableCursor, first: int, last: int
    ) -> list[tuple[int, str, bytes]]:
        """``stream_leaves`` in a transaction the caller holds (the stream
        table reads them under its write lock)."""
        cursor.execute(
            "SELECT leaf_index, stream, hash FROM {p}kirjuri_merkle_leaves"
            " WHERE leaf_index >= %s AND leaf_index <= %s ORDER BY leaf_index",
            (first, last),
        )
        return [
            (int(r["leaf_index"]), str(r["stream"]), bytes(r["hash"]))
            for r in cursor.fetchall()
        ]

    def leaves_of_sequences(self, sequences: list[int]) -> dict[int, dict[str, Any]]:
        """Stored leaves of these events, by sequence number."""
        found: dict[int, dict[str, Any]] = {}
        with self.database.transaction(commit=False) as cursor:
            for chunk in _chunks(sequences):
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT * FROM {p}kirjuri_merkle_leaves"
                    f" WHERE notification_id IN ({placeholders})",
                    tuple(chunk),
                )
                found.update(
                    {row["notification_id"]: dict(row) for row in cursor.fetchall()}
                )
        return found

    def leaves_in_sequence_range(
        self, start: int, end: int | None
    ) -> list[dict[str, Any]]:
        """Stored leaves of events with ``start <= sequence <= end``."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT * FROM {p}kirjuri_merkle_leaves"
                " WHERE notification_id >= %s AND notification_id <= %s"
                " ORDER BY notification_id",
                (start, end if end is not None else 2**62),
            )
            return [dict(row) for row in cursor.fetchall()]

    def leaves_of(self, stream: str) -> list[dict[str, Any]]:
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT * FROM {p}kirjuri_merkle_leaves WHERE stream = %s"
                " ORDER BY leaf_index",
                (stream,),
            )
            return [dict(row) for row in cursor.fetchall()]


def _combine(hashes: list[bytes]) -> bytes:
    """Subtrees of a range, left to right, into the range's hash (RFC order)."""
    node = hashes[-1]
    for left in reversed(hashes[:-1]):
        node = node_hash(left, node)
    return node
