"""Evidence files: events with inclusion proofs and a signed checkpoint.

An evidence file (JSON, ``"format": "kirjuri-evidence/1"``) lets a third
party check that events belong to the ledger's signed history with no
database at all (see docs/evidence.md for the format, field by field)::

    {"format": "kirjuri-evidence/1",
     "checkpoint": "<the signed checkpoint note>",
     "events": [{"sequence": 42, "leaf_index": 41, "stream": "<uuid>",
                 "version": 3, "stored_name": "DataDisclosed",
                 "state": "<base64 of the stored bytes>" or null,
                 "leaf_hash": "<hex>", "inclusion_proof": ["<hex>", …]}]}

With ``state`` present the verifier rebuilds the leaf (ledger.leaves) and
its hash; with ``state`` null (an erased subject, or ``--hashes-only``) it
checks the given leaf hash. Either way the proof must lead to the
checkpoint's root, and the checkpoint must carry the ledger's signature.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from ledger.checkpoints import NoteError, parse_checkpoint
from ledger.integrity import leaf_hash, verify_inclusion_hash
from ledger.leaves import encode_leaf

if TYPE_CHECKING:
    from ledger.checkpoints import Verifier

__all__ = ["FORMAT", "check_event", "verify_evidence"]

FORMAT = "kirjuri-evidence/1"


def verify_evidence(evidence: dict[str, Any], verifier: Verifier) -> list[str]:
    """Every problem with an evidence file; empty when it all holds."""
    if evidence.get("format") != FORMAT:
        return [f"format: expected {FORMAT!r}"]
    try:
        checkpoint = parse_checkpoint(str(evidence.get("checkpoint", "")))
    except NoteError as err:
        return [str(err)]
    problems = []
    if not verifier.verifies(checkpoint):
        problems.append(f"checkpoint {checkpoint.size}: not signed by {verifier.name}")
    events = evidence.get("events")
    if not isinstance(events, list) or not events:
        return [*problems, "events: none given"]
    for number, event in enumerate(events, 1):
        try:
            problem = check_event(event, checkpoint.size, checkpoint.root)
        except (KeyError, TypeError, ValueError, binascii.Error) as err:
            problem = f"malformed: {err}"
        if problem:
            problems.append(f"event {number} (seq {event.get('sequence')}): {problem}")
    return problems


def check_event(event: dict[str, Any], size: int, root: bytes) -> str | None:
    """One event's problem (its leaf, its inclusion proof), or None; shared
    with inquiry bundles (ledger.inquiry)."""
    hashed = bytes.fromhex(event["leaf_hash"])
    if event.get("state") is not None:
        leaf = encode_leaf(
            event["stream"],
            int(event["version"]),
            event["stored_name"],
            base64.b64decode(event["state"], validate=True),
        )
        if leaf_hash(leaf) != hashed:
            return "its stored bytes do not have its leaf hash"
    proof = [bytes.fromhex(p) for p in event["inclusion_proof"]]
    if not verify_inclusion_hash(hashed, int(event["leaf_index"]), size, proof, root):
        return f"not included in the tree of checkpoint {size}"
    return None
