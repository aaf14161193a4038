"""``kirjuri verify``: recompute the Merkle log from the stored events.

What is trusted: only signed checkpoints (stored, or kept outside the
database) and the public key. What is checked:

1. every checkpoint's signature and origin;
2. the tree recomputed from the stored events has, at each checkpoint's
   size, the checkpoint's root — so any change, deletion, insertion or
   reordering of a covered event is detected;
3. each event against the Merkle log's stored leaf (same event, same hash),
   which pinpoints the first event that differs;
4. per-stream versions run 1, 2, 3… with no gap;
5. the stream map a checkpoint signs (ledger.streams), recomputed from the
   same pass, so a false map signed by the operator is caught;
6. no checkpoint claims more events than the log holds (deleting the newest
   events with their checkpoints is caught by a checkpoint kept outside:
   given, or the witness's, see commands.usecases.verify).

A range (``from``/``to``) recomputes only those events against the stored
leaves, and proves the stored leaves against the checkpoints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import Notification

from ledger.checkpoints import NoteError
from ledger.clock import local_text
from ledger.integrity import EMPTY_ROOT, leaf_hash, node_hash
from ledger.leaves import LEAF_PREFIX, encode_leaf
from ledger.streams import StreamHeads, map_claim

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ledger.application import Ledger
    from ledger.checkpoints import Checkpoint, Verifier

__all__ = ["Problem", "StoredLeaves", "Verification", "verify_ledger"]

BATCH = 5000


@dataclass(frozen=True)
class Problem:
    # altered, reordered, removed, inserted, gap, missing, signature, root;
    # map; witness, merkle; read-model, undecodable (verify --read-models)
    kind: str
    message: str
    sequence: int | None = None
    stream: str | None = None
    version: int | None = None
    checkpoint: int | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass
class Verification:
    events: int = 0
    checkpoints: int = 0
    last_sequence: int | None = None  # the newest event checked
    problems: list[Problem] = field(default_factory=list)
    witnessed: int | None = None  # the tree size the witness held
    recorded: int | None = None  # the tree size the witness holds now
    read_models: int | None = None  # read models compared with a rebuild

    @property
    def ok(self) -> bool:
        return not self.problems


class _Frontier:
    """Streaming RFC 6962 root: the right edge's complete subtrees."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def push(self, hashed: bytes) -> None:
        size, node = 1, hashed
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            size, node = left_size + size, node_hash(left, node)
        self._stack.append((size, node))
        self.size += 1

    def extend(self, hashes: Sequence[bytes]) -> None:
        """`push` for each hash, in one loop (the pass's inner loop)."""
        stack, sha256 = self._stack, hashlib.sha256
        for hashed in hashes:
            size, node = 1, hashed
            while stack and stack[-1][0] == size:
                left_size, left = stack.pop()
                size, node = left_size + size, sha256(b"\x01" + left + node).digest()
            stack.append((size, node))
        self.size += len(hashes)

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def _event_leaf(n: Notification) -> bytes:
    return leaf_hash(
        encode_leaf(n.originator_id, n.originator_version, n.topic, n.state)
    )


class StoredLeaves(Protocol):
    """The Merkle log's recorded leaves (projections.merkle.MerkleStore)."""

    def leaves_between(self, first: int, last: int) -> list[dict[str, Any]]: ...
    def leaves_of_sequences(
        self, sequences: list[int]
    ) -> dict[int, dict[str, Any]]: ...
    def leaves_in_sequence_range(
        self, start: int, end: int | None
    ) -> list[dict[str, Any]]: ...


class _Checker:
    """One pass over events (and stored leaves), collecting problems."""

    def __init__(
        self, ledger: Ledger, leaves: StoredLeaves, checkpoints: Sequence[Checkpoint]
    ) -> None:
        self.ledger = ledger
        self.leaves = leaves
        self.result = Verification(checkpoints=len(checkpoints))
        self.pending = sorted(checkpoints, key=lambda c: c.size)
        self.frontier = _Frontier()
        self.versions: dict[bytes, int] = {}  # stream (16 bytes) -> version
        self.aligned = True  # stored leaves still line up with the events
        # The stream map is followed only when a checkpoint signs one.
        self.claims = {id(c): _claim(self, c) for c in checkpoints}
        wanted = any(claim is not None for claim in self.claims.values())
        self.heads: StreamHeads | None = StreamHeads() if wanted else None

    def add(self, problem: Problem) -> None:
        self.result.problems.append(problem)

    def check_roots(self) -> None:
        """Compare the recomputed root with every checkpoint of this size."""
        while self.pending and self.pending[0].size == self.frontier.size:
            checkpoint = self.pending.pop(0)
            if self.frontier.root() != checkpoint.root:
                self.add(
                    Problem(
                        "root",
                        f"the log's first {checkpoint.size} events lack the root "
                        f"signed in checkpoint {checkpoint.size} "
                        f"({local_text(checkpoint.timestamp)})",
                        checkpoint=checkpoint.size,
                    )
                )
            self._check_map(checkpoint)

    def _check_map(self, checkpoint: Checkpoint) -> None:
        claim = self.claims.get(id(checkpoint))
        if claim is None or self.heads is None:
            return
        streams, root = self.heads.claim()
        if claim != (streams, root):
            self.add(
                Problem(
                    "map",
                    f"checkpoint {checkpoint.size} "
                    f"({local_text(checkpoint.timestamp)}) signs a stream map "
                    f"that differs from the log's ({claim[0]} streams signed, "
                    f"{streams} in the log)",
                    checkpoint=checkpoint.size,
                )
            )

    def check_event(
        self,
        n: Notification,
        hashed: bytes,
        stored: dict[str, Any] | None,
        nearby: dict[bytes, int],
    ) -> None:
        """The event against its stored leaf, then its stream's versions."""
        if self.aligned and stored is not None:
            self._check_leaf(n, hashed, stored, nearby)
        self._check_version(n)

    def _check_leaf(
        self,
        n: Notification,
        hashed: bytes,
        stored: dict[str, Any],
        nearby: dict[bytes, int],
    ) -> None:
        where = f"seq {n.id} (stream {n.originator_id}, version {n.originator_version})"
        if stored["notification_id"] < n.id:
            self._misalign(
                Problem(
                    "removed",
                    f"seq {stored['notification_id']} (stream {stored['stream']}, "
                    "version "
                    f"{stored['version']}) is in the Merkle log but no longer stored",
                    stored["notification_id"],
                    stored["stream"],
                    stored["version"],
                )
            )
        elif stored["notification_id"] > n.id:
            self._misalign(
                Problem(
                    "inserted",
                    f"{where} is stored but was never in the Merkle log",
                    n.id,
                    str(n.originator_id),
                    n.originator_version,
                )
            )
        elif bytes(stored["hash"]) != hashed:
            kind = "reordered" if hashed in nearby else "altered"
            self._misalign(
                Problem(
                    kind,
                    f"{where} differs from what the Merkle log recorded",
                    n.id,
                    str(n.originator_id),
                    n.originator_version,
                )
            )

    def _misalign(self, problem: Problem) -> None:
        self.add(problem)
        self.aligned = False  # later leaves cannot be paired reliably

    def _check_version(self, n: Notification) -> None:
        stream = cast("UUID", n.originator_id).bytes
        expected = self.versions.get(stream, 0) + 1
        if n.originator_version != expected:
            self.add(
                Problem(
                    "gap",
                    f"stream {n.originator_id} goes to version "
                    f"{n.originator_version} "
                    f"at seq {n.id}, "
                    f"expected {expected}",
                    n.id,
                    str(n.originator_id),
                    n.originator_version,
                )
            )
        if n.originator_version > expected - 1:
            self.versions[stream] = n.originator_version


def verify_ledger(
    ledger: Ledger,
    leaves: StoredLeaves,
    checkpoints: Sequence[Checkpoint],
    verifier: Verifier,
    origin: str,
    *,
    start: int | None = None,
    end: int | None = None,
    progress: Any = None,
) -> Verification:
    """Check the stored events against the signed checkpoints."""
    checker = _Checker(ledger, leaves, checkpoints)
    for checkpoint in checkpoints:
        if checkpoint.origin != origin:
            checker.add(
                Problem(
                    "signature",
                    f"checkpoint {checkpoint.size} is of "
                    f"another ledger ({checkpoint.origin})",
                    checkpoint=checkpoint.size,
                )
            )
        elif not verifier.verifies(checkpoint):
            checker.add(
                Problem(
                    "signature",
                    f"checkpoint {checkpoint.size} is not signed by this ledger's key",
                    checkpoint=checkpoint.size,
                )
            )
    if start is None and end is None:
        # First without the stored leaves: a clean ledger needs only its
        # roots. If anything fails, a second pass pairs each event with its
        # recorded leaf to name the first one that differs.
        _full_pass(checker, progress, pair_from=_covered(checkpoints))
        if not checker.result.ok:
            signatures = [p for p in checker.result.problems if p.kind == "signature"]
            checker = _Checker(ledger, leaves, checkpoints)
            checker.result.problems.extend(signatures)
            _full_pass(checker, None, pair_from=0)
    else:
        _range_pass(checker, start or 0, end, progress)
    for checkpoint in checker.pending:
        checker.add(
            Problem(
                "missing",
                f"checkpoint {checkpoint.size} ({local_text(checkpoint.timestamp)}) "
                f"covers {checkpoint.size} events but the log holds "
                f"{checker.frontier.size}: events it covers were removed",
                checkpoint=checkpoint.size,
            )
        )
    return checker.result


def _batches(
    ledger: Ledger, after: int | None, last: int | None
) -> Iterable[Sequence[Notification]]:
    while True:
        batch = ledger.notifications(after, BATCH)
        if last is not None:
            batch = [n for n in batch if n.id <= last]
        if not batch:
            return
        yield batch
        after = batch[-1].id


def _claim(checker: _Checker, checkpoint: Checkpoint) -> tuple[int, bytes] | None:
    try:
        return map_claim(checkpoint)
    except NoteError as err:
        checker.add(Problem("map", str(err), checkpoint=checkpoint.size))
        return None


def _covered(checkpoints: Sequence[Checkpoint]) -> int:
    return max((c.size for c in checkpoints), default=0)


# A stored row as the full pass reads it: (seq, stream's 16 bytes, version,
# stored name, state).
Row = tuple[int, bytes, int, str, bytes]
_LEAF_HEAD = b"\x00" + LEAF_PREFIX  # leaf_hash's 0x00, then the leaf's prefix


def _stream_bytes(text: str) -> bytes:
    try:
        return bytes.fromhex(text)  # SQLite stores the UUID's 32 hex digits
    except ValueError:
        return UUID(text).bytes  # a row written another way (or forged)


def _stored_rows(ledger: Ledger, after: int | None, limit: int) -> list[Row]:
    """Stored events in log order after a sequence (None: from the very
    first), read with no per-row objects: the library's read builds a UUID
    and a Notification for each, which cost more than hashing it."""
    table = getattr(ledger.recorder, "events_table_name", "stored_events")
    database = ledger.database
    if database.backend == "postgres":
        columns = "notification_id, uuid_send(originator_id) AS stream"
        order = "notification_id"
    else:
        columns, order = "rowid AS notification_id, originator_id AS stream", "rowid"
    where = "" if after is None else f" WHERE {order} > %s"
    with database.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT {columns}, originator_version, topic, state FROM {{p}}{table}"
            f"{where} ORDER BY {order} LIMIT %s",
            (limit,) if after is None else (after, limit),
        )
        rows = cursor.fetchall()
    if database.backend == "postgres":
        return [
            (
                r["notification_id"],
                bytes(r["stream"]),
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            for r in rows
        ]
    return [
        (
            r[0],
            _stream_bytes(r[1]),
            r[2],
            r[3],
            r[4] if type(r[4]) is bytes else bytes(r[4]),
        )
        for r in rows
    ]


def _notification(row: Row) -> Notification:
    """The library's form of a row, for the checks that name what differs."""
    seq, stream, version, topic, state = row
    return Notification(
        id=seq,
        originator_id=UUID(bytes=stream),
        originator_version=version,
        topic=topic,
        state=state,
    )


def _leaf_hashes(rows: list[Row], names: dict[str, bytes]) -> list[bytes]:
    """Each row's leaf hash (ledger.leaves, ledger.integrity), in one loop;
    ``names`` keeps each stored name's encoded length and bytes."""
    sha256, head = hashlib.sha256, _LEAF_HEAD
    hashes = []
    for _, stream, version, topic, state in rows:
        name = names.get(topic)
        if name is None:
            encoded = topic.encode()
            name = names[topic] = len(encoded).to_bytes(2, "big") + encoded
        hashes.append(
            sha256(
                b"".join(
                    (
                        head,
                        stream,
                        version.to_bytes(8, "big"),
                        name,
                        len(state).to_bytes(4, "big"),
                        state,
                    )
                )
            ).digest()
        )
    return hashes


def _full_pass(checker: _Checker, progress: Any, *, pair_from: int) -> None:
    """Every event in log order; events from position ``pair_from`` on are
    also paired with the leaf the Merkle log recorded for them."""
    ledger = checker.ledger
    if progress is not None:
        progress.start(ledger.head())
    checker.check_roots()
    names: dict[str, bytes] = {}
    after = None
    while rows := _stored_rows(ledger, after, BATCH):
        hashes = _leaf_hashes(rows, names)
        _check_rows(checker, rows, hashes, pair_from)
        _grow(checker, rows, hashes)
        checker.result.events += len(rows)
        checker.result.last_sequence = after = rows[-1][0]
        if progress is not None:
            progress.advance(checker.result.events)
    if progress is not None:
        progress.finish()


def _check_rows(
    checker: _Checker, rows: list[Row], hashes: list[bytes], pair_from: int
) -> None:
    """Versions run on in each stream; rows from ``pair_from`` on (or all,
    on the second pass) also against the leaf recorded for them."""
    first = checker.frontier.size
    stored = []
    if first + len(rows) > pair_from:
        stored = checker.leaves.leaves_between(first, first + len(rows) - 1)
    if stored:
        by_index = {row["leaf_index"]: row for row in stored}
        nearby = {bytes(row["hash"]): row["leaf_index"] for row in stored}
        for at, (row, hashed) in enumerate(zip(rows, hashes, strict=True)):
            checker.check_event(
                _notification(row), hashed, by_index.get(first + at), nearby
            )
        return
    versions = checker.versions
    for row in rows:
        stream, version = row[1], row[2]
        if version == versions.get(stream, 0) + 1:
            versions[stream] = version  # the common case: the next version
        else:
            checker.check_event(_notification(row), b"", None, {})


def _grow(checker: _Checker, rows: list[Row], hashes: list[bytes]) -> None:
    """The rows' leaves into the tree and the stream map, up to each
    checkpoint's size in turn: its root and map are checked there."""
    first, heads, frontier = checker.frontier.size, checker.heads, checker.frontier
    done = 0
    while done < len(rows):
        stop = len(rows)
        if checker.pending and done < checker.pending[0].size - first < stop:
            stop = checker.pending[0].size - first
        if heads is not None:
            streams = [row[1] for row in rows[done:stop]]
            heads.extend(streams, first + done, hashes[done:stop])
        frontier.extend(hashes[done:stop])
        done = stop
        if checker.pending and checker.pending[0].size == frontier.size:
            checker.check_roots()


def _missing_in_range(
    checker: _Checker, start: int, end: int | None, seen: set[int]
) -> None:
    """Every leaf of the range must still have its event: a deleted event is
    not among the events walked, so the leaves are walked too."""
    rows = checker.leaves.leaves_in_sequence_range(start, end)
    for row in rows:
        if row["notification_id"] not in seen:
            checker.add(
                Problem(
                    "removed",
                    f"seq {row['notification_id']} (stream {row['stream']}, version "
                    f"{row['version']}) is in the Merkle log but no longer stored",
                    row["notification_id"],
                    row["stream"],
                    row["version"],
                )
            )


def _range_pass(checker: _Checker, start: int, end: int | None, progress: Any) -> None:
    """Events with seq in [start, end] against stored leaves; leaves against roots."""
    ledger = checker.ledger
    checker.versions = {}  # versions are only checked along a full pass
    seen: set[int] = set()
    for batch in _batches(ledger, max(start - 1, 0), end):
        ids = [n.id for n in batch]
        seen.update(ids)
        stored = checker.leaves.leaves_of_sequences(ids)
        for n in batch:
            row = stored.get(n.id)
            if row is None or bytes(row["hash"]) != _event_leaf(n):
                checker.add(
                    Problem(
                        "altered" if row else "inserted",
                        f"seq {n.id} (stream {n.originator_id}, version "
                        f"{n.originator_version}) differs from the Merkle log",
                        n.id,
                        str(n.originator_id),
                        n.originator_version,
                    )
                )
            checker.result.events += 1
        checker.result.last_sequence = batch[-1].id
        if progress is not None:
            progress.advance(checker.result.events)
    _missing_in_range(checker, start, end, seen)
    # The stored leaves (the whole log's, as hashes only) against every root.
    checker.check_roots()
    after = -1
    while rows := checker.leaves.leaves_between(after + 1, after + BATCH):
        for row in rows:
            if checker.heads is not None:
                checker.heads.add(row["stream"], row["leaf_index"], bytes(row["hash"]))
            checker.frontier.push(bytes(row["hash"]))
            checker.check_roots()
        after = rows[-1]["leaf_index"]
