"""Snapshots of subjects' states: a cache so that loading a long stream
reads only the events after its snapshot.

A key account has thousands of events; folding them all each time a bulk
run needs its state again makes an import slow down as it grows. A
snapshot is the state folded up to a version, stored as JSON beside the
events. It is a cache of the events, never the truth:

- it holds what the state holds: personal values only as sealed boxes (an
  erasure destroys their keys, so a snapshot is no more readable than the
  events it was folded from), timelines, requests and dates;
- it is signed with a key derived from the ledger's index secret (HMAC), so
  a row changed in the database is not believed: the stream is folded from
  its first event instead;
- a snapshot of another format (the state's shape changed) is ignored too;
- `check` folds the whole stream again and compares.

Snapshots are written after the events they fold are stored, in their own
transaction: a snapshot that fails to be written costs a longer fold later,
nothing else. A newer snapshot is never replaced by an older one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger import events as ev
from ledger.sealed import Sealed
from ledger.subject import HeldValue, RequestState, SubjectState, Timeline

if TYPE_CHECKING:
    from collections.abc import Callable

    from ledger.storage import Database

__all__ = ["SNAPSHOT_EVERY", "SNAPSHOT_FORMAT", "Snapshots", "decode", "encode"]

# A subject's state is stored again once this many events were added since
# its last snapshot: a load then folds fewer than this many events.
SNAPSHOT_EVERY = 100
# The shape of the stored JSON; bumped when SubjectState changes, so that
# snapshots of an older shape are ignored (and replaced as streams grow).
SNAPSHOT_FORMAT = 1

DDL = (
    "CREATE TABLE IF NOT EXISTS {p}kirjuri_snapshots ("
    " subject_id TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " state {blob} NOT NULL, mac TEXT NOT NULL)"
)


def _iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _sealed(value: Sealed | None) -> list[str] | None:
    return None if value is None else [value.key, value.box]


def _unsealed(value: list[str] | None) -> Sealed | None:
    return None if value is None else Sealed(key=value[0], box=value[1])


def _timeline(timeline: Timeline) -> list[list[Any]]:
    return [[at.isoformat(), version, on] for at, version, on in timeline.entries]


def _entries(rows: list[list[Any]]) -> Timeline:
    return Timeline([(datetime.fromisoformat(a), int(v), bool(o)) for a, v, o in rows])


def _held(held: HeldValue) -> list[Any]:
    at = held.occurred_at.isoformat()
    return [_sealed(held.value), held.source, at, held.version, held.rectified]


def encode(state: SubjectState) -> bytes:
    """The state as compact JSON (sealed values stay sealed)."""
    document = {
        "format": SNAPSHOT_FORMAT,
        "id": str(state.id),
        "version": state.version,
        "registered_at": _iso(state.registered_at),
        "source": state.source,
        "company_name": _sealed(state.company_name),
        "business_id": _sealed(state.business_id),
        "values": {
            category: [_held(h) for h in held]
            for category, held in state.values.items()
        },
        "consents": {k: _timeline(t) for k, t in state.consents.items()},
        "objections": {k: _timeline(t) for k, t in state.objections.items()},
        "restriction": _timeline(state.restriction),
        "relationship": _timeline(state.relationship),
        "hold": _timeline(state.hold),
        "left_at": _iso(state.left_at),
        "informed_at": _iso(state.informed_at),
        "last_activity": _iso(state.last_activity),
        "erased_at": _iso(state.erased_at),
        "destroyed": sorted(state.destroyed),
        "requests": {
            key: [
                r.request_type.value,
                r.received_on.isoformat(),
                r.due_on.isoformat(),
                r.status,
                r.extension_reason_fi,
                r.refusal_reason_fi,
                None if r.excessive is None else list(r.excessive),
            ]
            for key, r in state.requests.items()
        },
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def decode(data: bytes) -> SubjectState | None:
    """A stored state, or None when it is of another format."""
    document = json.loads(data)
    if document.get("format") != SNAPSHOT_FORMAT:
        return None
    state = SubjectState(UUID(document["id"]), version=int(document["version"]))
    state.registered_at = _moment(document["registered_at"])
    state.source = document["source"]
    state.company_name = _unsealed(document["company_name"])
    state.business_id = _unsealed(document["business_id"])
    for category, held in document["values"].items():
        state.values[category] = [
            HeldValue(
                category,
                Sealed(key=sealed[0], box=sealed[1]),
                source,
                datetime.fromisoformat(at),
                int(version),
                bool(rectified),
            )
            for sealed, source, at, version, rectified in held
        ]
    state.consents = {k: _entries(v) for k, v in document["consents"].items()}
    state.objections = {k: _entries(v) for k, v in document["objections"].items()}
    state.restriction = _entries(document["restriction"])
    state.relationship = _entries(document["relationship"])
    state.hold = _entries(document["hold"])
    state.left_at = _moment(document["left_at"])
    state.informed_at = _moment(document["informed_at"])
    state.last_activity = _moment(document["last_activity"])
    state.erased_at = _moment(document["erased_at"])
    state.destroyed = set(document["destroyed"])
    for key, row in document["requests"].items():
        kind, received, due, status, extension, refusal, excessive = row
        state.requests[key] = RequestState(
            key,
            ev.RequestType(kind),
            date.fromisoformat(received),
            date.fromisoformat(due),
            status,
            extension,
            refusal,
            None if excessive is None else (excessive[0], excessive[1]),
        )
    return state


class Snapshots:
    """The snapshot table, its rows signed with a key only the ledger has."""

    def __init__(self, database: Database, secret: Callable[[], bytes]) -> None:
        self.database = database
        self._secret = secret  # read on first use: a new ledger stores it then
        self._key_bytes: bytes | None = None

    @property
    def _key(self) -> bytes:
        if self._key_bytes is None:
            # Domain-separated from the blind index that shares the secret.
            self._key_bytes = hmac.new(
                self._secret(), b"kirjuri snapshot v1", hashlib.sha256
            ).digest()
        return self._key_bytes

    def create_table(self) -> None:
        self.database.execute_script([DDL])

    def _mac(self, subject_id: str, version: int, state: bytes) -> str:
        message = f"{subject_id}|{version}|".encode() + state
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def get(self, subject_id: UUID) -> SubjectState | None:
        """The newest snapshot of a subject that is genuine and of this format."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT version, state, mac FROM {p}kirjuri_snapshots"
                " WHERE subject_id = %s",
                (str(subject_id),),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        state = bytes(row["state"])
        expected = self._mac(str(subject_id), int(row["version"]), state)
        if not hmac.compare_digest(expected, str(row["mac"])):
            return None  # changed outside Kirjuri: fold from the events
        try:
            found = decode(state)
        except (ValueError, KeyError, TypeError):
            return None
        if found is None or found.id != subject_id:
            return None
        found.snapshot_version = found.version
        return found

    def put(self, states: list[SubjectState]) -> None:
        """Store states (each folded from stored events only); a newer
        snapshot already stored is kept."""
        rows = []
        for state in states:
            data = encode(state)
            subject = str(state.id)
            rows.append(
                (subject, state.version, data, self._mac(subject, state.version, data))
            )
        if not rows:
            return
        with self.database.transaction() as cursor:
            cursor.executemany(
                "INSERT INTO {p}kirjuri_snapshots AS s (subject_id, version, state,"
                " mac) VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id) DO UPDATE"
                " SET version = excluded.version, state = excluded.state,"
                " mac = excluded.mac WHERE excluded.version > s.version",
                rows,
            )
        for state in states:
            state.snapshot_version = state.version

    def check(self, fold: Callable[[UUID, int], SubjectState]) -> list[UUID]:
        """Subjects whose stored snapshot is not genuine, or differs from the
        state their events fold to up to its version (``fold``)."""
        with self.database.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT subject_id, version FROM {p}kirjuri_snapshots"
                " ORDER BY subject_id"
            )
            rows = [
                (UUID(r["subject_id"]), int(r["version"])) for r in cursor.fetchall()
            ]
        wrong = []
        for subject_id, version in rows:
            stored = self.get(subject_id)
            if (
                stored is None
                or stored.version != version
                or stored != fold(subject_id, version)
            ):
                wrong.append(subject_id)
        return wrong

    def due(self, states: list[SubjectState]) -> list[SubjectState]:
        """States that grew SNAPSHOT_EVERY events past their last snapshot."""
        return [s for s in states if s.version - s.snapshot_version >= SNAPSHOT_EVERY]
