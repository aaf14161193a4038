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

from ledger.integrity import EMPTY_ROOT, leaf_hash, root_from_hashes
from ledger.streams import EMPTY_HEAD, map_leaf, next_head

if TYPE_CHECKING:
    from collections.abc import Callable

    from ledger.storage import Database, PortableCursor

__all__ = ["HEADS_DDL", "StreamTable"]

HEADS_DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_stream_heads ("
    " stream {blob} PRIMARY KEY, count {bigint} NOT NULL, head {blob} NOT NULL,"
    " last_leaf {bigint} NOT NULL, map_leaf {blob} NOT NULL)",
)
POSITION = "stream_heads"  # the kirjuri_meta row: leaves folded so far
SCAN = 5000  # leaves read per query
CHUNK = 400  # streams per IN (…) query


def _chunks(items: list[bytes], size: int = CHUNK) -> list[list[bytes]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class StreamTable:
    """Each stream's head, brought forward from the stored Merkle leaves
    (its position is a row of the notary's kirjuri_meta)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.execute_script(HEADS_DDL)

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
            cursor.execute(
                "INSERT INTO {p}kirjuri_meta (name, value) VALUES (%s, '0 ')"
                " ON CONFLICT (name) DO NOTHING",
                (POSITION,),
            )
            cursor.execute(
                "SELECT value FROM {p}kirjuri_meta WHERE name = %s FOR UPDATE"
                if self.database.backend == "postgres"
                else "SELECT value FROM {p}kirjuri_meta WHERE name = %s",
                (POSITION,),
            )
            if str(cursor.fetchone()["value"]) != f"{position} {root_text}":
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
            cursor.execute(
                "UPDATE {p}kirjuri_meta SET value = %s WHERE name = %s",
                (f"{size} {signed}", POSITION),
            )
            leaves = [bytes(row["map_leaf"]) for row in rows]
        return len(leaves), root_from_hashes(leaves) if leaves else EMPTY_ROOT

    def _position(self) -> tuple[int, str]:
        """(leaves folded, the tree's root there in hex) as stored."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT value FROM {p}kirjuri_meta WHERE name = %s", (POSITION,)
            )
            row = cursor.fetchone()
        position, _, root = ("0 " if row is None else str(row["value"])).partition(" ")
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
            cursor.execute(
                "SELECT leaf_index, stream, hash FROM {p}kirjuri_merkle_leaves"
                " WHERE leaf_index >= %s AND leaf_index < %s ORDER BY leaf_index",
                (expected, min(expected + SCAN, size)),
            )
            rows = cursor.fetchall()
            if not rows:
                return False
            for row in rows:
                if int(row["leaf_index"]) != expected:
                    return False
                stream = UUID(str(row["stream"])).bytes
                order.append((expected, stream, bytes(row["hash"])))
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
        cursor.executemany(
            "INSERT INTO {p}kirjuri_stream_heads (stream, count, head, last_leaf,"
            " map_leaf) VALUES (%s, %s, %s, %s, %s) ON CONFLICT (stream) DO UPDATE"
            " SET count = excluded.count, head = excluded.head,"
            " last_leaf = excluded.last_leaf, map_leaf = excluded.map_leaf",
            rows_out,
        )
        return True
