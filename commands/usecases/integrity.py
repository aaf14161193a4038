"""Integrity: verify the log, evidence for third parties, the report's entry."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from commands.usecases.views import ConsistencyProof, Evidence, ProofCheck
from ledger.checkpoints import NoteError, Verifier, parse_checkpoint
from ledger.errors import InvalidCommand
from ledger.evidence import FORMAT, verify_evidence
from projections.reports.access import IntegrityEntry

if TYPE_CHECKING:
    from collections.abc import Sequence

    from commands.service import Kirjuri
    from ledger.checkpoints import Checkpoint

__all__ = [
    "build_evidence",
    "check_sequence",
    "consistency",
    "integrity_entry",
    "parse_external",
    "prove",
    "verify_proof",
]


# Sequence numbers are 64-bit in both databases; beyond, no event exists.
MAX_SEQUENCE = 2**62


def check_sequence(value: int | None, field: str) -> None:
    if value is not None and not 1 <= value <= MAX_SEQUENCE:
        raise InvalidCommand(
            field, f"must be a sequence number from 1 to {MAX_SEQUENCE}"
        )


def check_sequence_range(start: int | None, end: int | None) -> None:
    """A range of the log's sequence numbers (verify --from/--to)."""
    check_sequence(start, "from")
    check_sequence(end, "to")
    if start is not None and end is not None and end < start:
        raise InvalidCommand("to", "must not be before --from")


def parse_external(notes: Sequence[str]) -> list[Checkpoint]:
    """Checkpoints kept outside the database, as their signed notes."""
    found = []
    for number, note in enumerate(notes, 1):
        try:
            found.append(parse_checkpoint(note))
        except NoteError as err:
            raise InvalidCommand("checkpoint", f"#{number}: {err}") from err
    return found


def build_evidence(
    kirjuri: Kirjuri, sequences: list[int], *, hashes_only: bool
) -> dict[str, Any]:
    """Events by sequence number, each with its inclusion proof, and the
    checkpoint (issued now if the newest does not cover them)."""
    stored = kirjuri.checkpoint()
    size = stored.checkpoint.size
    events = []
    for sequence in sequences:
        leaf = kirjuri.merkle.leaf(sequence)
        if leaf is None or leaf["leaf_index"] >= size:
            raise InvalidCommand("sequence", f"no event {sequence} in the Merkle log")
        found = kirjuri.ledger.notifications(sequence - 1, 1)
        state = None
        if found and found[0].id == sequence and not hashes_only:
            state = base64.b64encode(found[0].state).decode()
        events.append(
            {
                "sequence": sequence,
                "leaf_index": leaf["leaf_index"],
                "stream": leaf["stream"],
                "version": leaf["version"],
                "stored_name": leaf["topic"],
                "state": state,
                "leaf_hash": bytes(leaf["hash"]).hex(),
                "inclusion_proof": [
                    p.hex()
                    for p in kirjuri.merkle.inclusion_proof(leaf["leaf_index"], size)
                ],
            }
        )
    return {
        "format": FORMAT,
        "origin": kirjuri.origin,
        "public_key": str(kirjuri.signer().verifier),
        "checkpoint": stored.checkpoint.note,
        "events": events,
    }


def prove(kirjuri: Kirjuri, sequences: list[int], *, hashes_only: bool) -> Evidence:
    return Evidence.model_validate(
        build_evidence(kirjuri, sequences, hashes_only=hashes_only)
    )


def consistency(kirjuri: Kirjuri, from_size: int, to_size: int) -> ConsistencyProof:
    """A consistency proof between two signed checkpoints, named by size."""
    if from_size > to_size:
        raise InvalidCommand("from", "must not be larger than to")
    kirjuri.catch_up()
    by_size = {s.checkpoint.size: s.checkpoint for s in kirjuri.checkpoints()}
    for field, size in (("from", from_size), ("to", to_size)):
        if size not in by_size:
            raise InvalidCommand(field, f"no signed checkpoint of size {size}")
    proof = kirjuri.merkle.consistency_proof(from_size, to_size)
    return ConsistencyProof(
        from_size=from_size,
        to_size=to_size,
        from_checkpoint=by_size[from_size].note,
        to_checkpoint=by_size[to_size].note,
        proof=tuple(p.hex() for p in proof),
    )


def integrity_entry(kirjuri: Kirjuri, subject: str) -> IntegrityEntry:
    """The checkpoint a report is made at (signed now if events are newer)."""
    checkpoint = kirjuri.checkpoint().checkpoint
    checked = kirjuri.notary.models_checked()
    return IntegrityEntry(
        origin=checkpoint.origin,
        tree_size=checkpoint.size,
        root=checkpoint.root.hex(),
        issued_at=checkpoint.timestamp,
        public_key=str(kirjuri.signer().verifier),
        subject_events=len(kirjuri.merkle.leaves_of(subject)),
        models_checked_size=None if checked is None else checked[0],
        models_checked_at=None if checked is None else checked[1],
    )


def verify_proof(evidence: Any, public_key: str) -> ProofCheck:
    """An evidence file (parsed JSON) against a public key; no database."""
    verifier = Verifier.parse(public_key)
    if not isinstance(evidence, dict):
        raise InvalidCommand("file", "not an evidence object")
    events = evidence.get("events")
    events = events if isinstance(events, list) else []
    if not all(isinstance(event, dict) for event in events):
        raise InvalidCommand("file", "events: each must be an object")
    problems = verify_evidence(evidence, verifier)
    return ProofCheck(
        events=len(events),
        by_hash_only=sum(1 for e in events if e.get("state") is None),
        signer=verifier.name,
        problems=tuple(problems),
    )
