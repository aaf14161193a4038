"""The stream map (ledger.streams) kept up as a table, for the notary.

Signing a checkpoint used to fold every leaf of the log into the map (about
2 s per 100 k events, at each checkpoint). The table keeps, per stream, its
count, its chained head, its last leaf index and its map leaf hash, with the
log size they were folded to; a checkpoint folds only the leaves added
since (O(new leaves)) and reads the map leaves in stream order for the root
(O(streams) hashes: the map's format fixes a tree over every stream).

A cache of the Merkle log's stored leaves, never the truth: `kirjuri
verify` recomputes every checkpoint's map from the events, so a changed
row makes the next checkpoint sign a map that verify refuses. A table that
is ahead of the size asked for (another process signed a bigger tree in
between) is not used: that checkpoint's map is folded from the leaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from ledger import meta
from ledger.integrity import EMPTY_ROOT, leaf_hash, root_from_hashes
from ledger.streams import EMPTY_HEAD, map_leaf, next_head

if TYPE_CHECKING:
    from collections.abc import Callable

    from ledger.storage import Database, PortableCursor

    # (cursor, first, last) -> (leaf index, stream, hash) of the stored Merkle
    # leaves first..last in log order, read in the caller's transaction.
    LeafReader = Callable[[PortableCursor, int, int], list[tuple[int, str, bytes]]]

__all__ = ["HEADS_DDL", "StreamTable"]

HEADS_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_stream_heads ("
    " stream {blob} PRIMARY KEY, count {bigint} NOT NULL, head {blob} NOT NULL,"
    " last_leaf {bigint} NOT NULL, map_leaf {blob} NOT NULL)",
)
POSITION = "stream_heads"  # the ledger.meta row: leaves folded so far
SCAN = 5000  # leaves read per query
CHUNK = 400  # streams per IN (…) query
HEADS_WRITTEN_AT_ONCE = 10_000  # rows per executemany of the heads


def _chunks(items: list[bytes], size: int = CHUNK) -> list[list[bytes]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class StreamTable:
    """Each stream's head, brought forward from the stored Merkle leaves
    (read through the Merkle store's ``leaves``); its position is a row of
    ledger.meta."""

    def __init__(self, database: Database, leaves: LeafReader) -> None:
        self.database = database
        self._leaves = leaves
        database.execute_script((*meta.META_DDL, *HEADS_DDL))

    def claim(
        self, size: int, root_at: Callable[[int], bytes]
    ) -> tuple[int, bytes] | None:
        """(number of streams, map root) of the log's first ``size`` leaves,
        the table brought forward to ``size`` first; None when the table is
        past ``size`` or the stored leaves stop short (fold from scratch).
        ``root_at`` is the stored tree's root at a size: leaves stored again
        otherwise than when the table was brought forward (the Merkle log
        rebuilt from changed events) make it fold every leaf again."""
        position, root_text = self._position()
        if position > size:
            return None
        # Roots read before the write: the pool lends no reader to a writer.
        try:
            mark = root_at(position).hex() if position else ""
            signed = root_at(size).hex() if size else ""
        except LookupError:  # the stored tree lacks a subtree
            return None
        with self.database.transaction() as cursor:
            # A write first: the transaction holds the write lock from here on
            # (SQLite), and one process at a time brings the table forward.
            meta.put_if_absent(cursor, POSITION, "0 ")
            postgres = self.database.backend == "postgres"
            if (
                meta.lock(cursor, POSITION, postgres=postgres)
                != f"{position} {root_text}"
            ):
                return None  # another process moved it meanwhile
            if position and mark != root_text:
                position = self._forget(cursor)
            if position < size and not self._bring_forward(cursor, position, size):
                return None
            cursor.execute(
                "SELECT count, map_leaf FROM {p}kirjuri_stream_heads ORDER BY stream"
            )
            rows = cursor.fetchall()
            if sum(int(row["count"]) for row in rows) != size:
                # Rows lost (a table emptied): fold every leaf again.
                self._forget(cursor)
                if not self._bring_forward(cursor, 0, size):
                    return None
                cursor.execute(
                    "SELECT map_leaf FROM {p}kirjuri_stream_heads ORDER BY stream"
                )
                rows = cursor.fetchall()
            meta.put(cursor, POSITION, f"{size} {signed}")
            leaves = [bytes(row["map_leaf"]) for row in rows]
        return len(leaves), root_from_hashes(leaves) if leaves else EMPTY_ROOT

    def _position(self) -> tuple[int, str]:
        """(leaves folded, the tree's root there in hex) as stored."""
        with self.database.transaction(commit=False) as cursor:
            value = meta.get(cursor, POSITION)
        position, _, root = (value or "0 ").partition(" ")
        return int(position), root

    @staticmethod
    def _forget(cursor: PortableCursor) -> int:
        cursor.execute("DELETE FROM {p}kirjuri_stream_heads")
        return 0

    def _bring_forward(self, cursor: PortableCursor, first: int, size: int) -> bool:
        """Fold leaves [first, size) into the rows; False if some are missing."""
        order: list[tuple[int, bytes, bytes]] = []  # (leaf index, stream, hash)
        expected = first
        while expected < size:
            rows = self._leaves(cursor, expected, min(expected + SCAN, size) - 1)
            if not rows:
                return False
            for index, stream_id, leaf in rows:
                if index != expected:
                    return False
                order.append((expected, UUID(stream_id).bytes, leaf))
                expected += 1
        counts: dict[bytes, int] = {}
        heads: dict[bytes, bytes] = {}
        streams = list(dict.fromkeys(stream for _, stream, _ in order))
        for chunk in _chunks(streams):
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT stream, count, head FROM {p}kirjuri_stream_heads"
                f" WHERE stream IN ({placeholders})",
                tuple(chunk),
            )
            for row in cursor.fetchall():
                counts[bytes(row["stream"])] = int(row["count"])
                heads[bytes(row["stream"])] = bytes(row["head"])
        last: dict[bytes, int] = {}
        for index, stream, hashed in order:
            counts[stream] = counts.get(stream, 0) + 1
            heads[stream] = next_head(heads.get(stream, EMPTY_HEAD), index, hashed)
            last[stream] = index
        rows_out = [
            (
                stream,
                counts[stream],
                heads[stream],
                index,
                leaf_hash(map_leaf(stream, counts[stream], heads[stream])),
            )
            for stream, index in last.items()
        ]
        # In slices: the first checkpoint of a large ledger brings forward
        # millions of streams, too many for one pipelined statement list.
        for start in range(0, len(rows_out), HEADS_WRITTEN_AT_ONCE):
            cursor.executemany(
                "INSERT INTO {p}kirjuri_stream_heads (stream, count, head, last_leaf,"
                " map_leaf) VALUES (%s, %s, %s, %s, %s) ON CONFLICT (stream) DO UPDATE"
                " SET count = excluded.count, head = excluded.head,"
                " last_leaf = excluded.last_leaf, map_leaf = excluded.map_leaf",
                rows_out[start : start + HEADS_WRITTEN_AT_ONCE],
            )
        return True
