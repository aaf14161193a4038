"""The notary: issues, stores and lists the ledger's signed checkpoints.

Each checkpoint is stored with the consistency proof from the one before it,
so anyone holding two checkpoints can check that the later tree extends the
earlier one, without the database. The notary never signs a tree that does
not extend the newest checkpoint: an altered log is refused, not blessed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog

from ledger import clock, meta
from ledger.checkpoints import Checkpoint, parse_checkpoint
from ledger.errors import KirjuriError
from ledger.stream_table import StreamTable
from ledger.streams import StreamHeads, map_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from ledger.checkpoints import Signer
    from ledger.storage import Database
    from projections.merkle import MerkleStore

__all__ = [
    "NOTARY_DDL",
    "LogInconsistent",
    "Notary",
    "StoredCheckpoint",
    "ledger_origin",
    "stream_heads",
]

log = structlog.get_logger("kirjuri.notary")

NOTARY_DDL = (
    *meta.META_DDL,
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_checkpoints ("
    " tree_size {bigint} PRIMARY KEY, root {blob} NOT NULL, issued_at TEXT NOT NULL,"
    " note TEXT NOT NULL, previous_size {bigint}, consistency TEXT NOT NULL)",
)


class LogInconsistent(KirjuriError):
    """The stored tree does not extend the newest signed checkpoint."""


@dataclass(frozen=True)
class StoredCheckpoint:
    checkpoint: Checkpoint
    previous_size: int | None
    consistency: list[bytes]  # from the previous checkpoint to this one


def ledger_origin(database: Database) -> str:
    """The ledger's name in its checkpoints, made once: ``kirjuri/<uuid>``."""
    database.execute_script(NOTARY_DDL)
    with database.transaction() as cursor:
        return meta.put_if_absent(cursor, "origin", f"kirjuri/{uuid.uuid4()}")


SCAN_BATCH = 5000


def stream_heads(store: MerkleStore, size: int) -> StreamHeads:
    """The stream map over the stored leaves below ``size``, in log order."""
    heads = StreamHeads()
    first = 0
    while first < size:
        rows = store.stream_leaves(first, min(first + SCAN_BATCH, size) - 1)
        if not rows:
            break
        for index, stream, hashed in rows:
            heads.add(stream, index, hashed)
        first = rows[-1][0] + 1
    return heads


class Notary:
    def __init__(
        self, database: Database, store: MerkleStore, signer: Callable[[], Signer]
    ) -> None:
        self.database = database
        self.store = store
        self._signer = signer  # loaded on first use: reading needs no key
        database.execute_script(NOTARY_DDL)
        self.heads = StreamTable(database, store.stream_leaves_at)

    def issue(self) -> StoredCheckpoint:
        """Sign the stored tree as it is now (callers catch up first)."""
        size = self.store.size()
        previous = self.latest()
        if previous is not None and previous.checkpoint.size == size:
            return previous
        if previous is not None:
            self._check_extends(previous.checkpoint, size)
        # The stream map (ledger.streams) is signed with the tree: the table
        # of heads brought forward from the leaves added since the last one.
        claim = self.heads.claim(size, self.store.root)
        streams, map_root = claim or stream_heads(self.store, size).claim()
        checkpoint = self._signer().sign(
            size, self.store.root(size), clock.now(), [map_line(streams, map_root)]
        )
        previous_size = previous.checkpoint.size if previous is not None else None
        proof = self.store.consistency_proof(previous_size or 0, size)
        with self.database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO {p}kirjuri_checkpoints (tree_size, root, issued_at, note,"
                " previous_size, consistency) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (tree_size) DO NOTHING",
                (
                    size,
                    checkpoint.root,
                    checkpoint.timestamp.isoformat(),
                    checkpoint.note,
                    previous_size,
                    ",".join(p.hex() for p in proof),
                ),
            )
            # Another writer may have signed this size first: theirs stands.
            cursor.execute(
                "SELECT * FROM {p}kirjuri_checkpoints WHERE tree_size = %s", (size,)
            )
            stored = _stored(cursor.fetchone())
        if stored.checkpoint.root != checkpoint.root:
            raise LogInconsistent(
                f"checkpoint {size} was signed for another tree: not signed;"
                " run 'kirjuri verify'"
            )
        log.info("checkpoint issued", size=size, root=checkpoint.root.hex())
        return stored

    def store_hand_over(self, checkpoint: Checkpoint) -> None:
        """A signing key's hand-over (ledger.checkpoints) takes the place of
        the stored checkpoint of its size: the same tree, signed by both keys."""
        with self.database.transaction() as cursor:
            cursor.execute(
                "UPDATE {p}kirjuri_checkpoints SET note = %s"
                " WHERE tree_size = %s AND root = %s",
                (checkpoint.note, checkpoint.size, checkpoint.root),
            )

    def _check_extends(self, previous: Checkpoint, size: int) -> None:
        try:
            extends = size >= previous.size and (
                self.store.root(previous.size) == previous.root
            )
        except LookupError:  # a subtree of the cache is missing
            extends = False
        if not extends:
            raise LogInconsistent(
                f"the Merkle log of {size} events does not extend checkpoint "
                f"{previous.size}: not signed; run 'kirjuri verify'"
            )

    def all(self) -> list[StoredCheckpoint]:
        with self.database.transaction(commit=False) as cursor:
            cursor.execute("SELECT * FROM {p}kirjuri_checkpoints ORDER BY tree_size")
            rows = cursor.fetchall()
        return [_stored(row) for row in rows]

    def last_verified(self) -> int | None:
        """The sequence up to which the last clean verify reached."""
        value = self._get("verified")
        return None if value is None else int(value)

    def remember_verified(self, sequence: int) -> None:
        self._set("verified", str(sequence))

    def remember_models_checked(self, tree_size: int, at: datetime) -> None:
        """The read models were found equal to a rebuild from this many events."""
        self._set("models_checked", f"{tree_size} {at.isoformat()}")

    def models_checked(self) -> tuple[int, datetime] | None:
        """When the read models were last checked, and at which tree size."""
        value = self._get("models_checked")
        if value is None:
            return None
        size, _, at = value.partition(" ")
        return int(size), datetime.fromisoformat(at)

    def remember_verify_run(
        self, at: datetime, problems: int, reached: int | None
    ) -> None:
        """A failed verify's outcome, or a run over the whole log: a failed
        run must not hide behind the last clean one."""
        self._set("verify_run", f"{at.isoformat()} {problems} {reached or 0}")

    def last_verify_run(self) -> tuple[datetime, int, int] | None:
        """When the last verify ran, how many problems it found, how far."""
        value = self._get("verify_run")
        if value is None:
            return None
        at, problems, reached = value.split(" ")
        return datetime.fromisoformat(at), int(problems), int(reached)

    def _get(self, name: str) -> str | None:
        with self.database.transaction(commit=False) as cursor:
            return meta.get(cursor, name)

    def _set(self, name: str, value: str) -> None:
        with self.database.transaction() as cursor:
            meta.put(cursor, name, value)

    def latest(self) -> StoredCheckpoint | None:
        stored = self.all()
        return stored[-1] if stored else None


def _stored(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        parse_checkpoint(row["note"]),
        row["previous_size"],
        [bytes.fromhex(h) for h in row["consistency"].split(",") if h],
    )
