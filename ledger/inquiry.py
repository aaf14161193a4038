"""Inquiry bundles checked offline: pure, no database, for any third party.

A bundle (JSON, ``"format": "kirjuri-inquiry/1"``, docs/evidence.md §7)
holds one signed checkpoint, the hand-over checkpoints of the signing keys
(so an auditor holding an earlier key can follow the rotations), the filter
an authority asked for, the matching events as stored with an inclusion
proof each, and, for a subject, a completeness statement: the subject's map
leaf (ledger.streams) with its proof to the map root the checkpoint signs,
so the events given are *all* of the subject's events at that checkpoint.

    problems = verify_inquiry(json.load(f), Verifier.parse(key))
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.checkpoints import KeyRing, NoteError, parse_checkpoint
from ledger.evidence import check_event
from ledger.integrity import verify_inclusion
from ledger.streams import head_digest, map_claim, map_leaf

if TYPE_CHECKING:
    from ledger.checkpoints import Checkpoint, Verifier

__all__ = ["FILTERS", "FORMAT", "InquiryCheck", "verify_inquiry"]

FORMAT = "kirjuri-inquiry/1"
FILTERS = (
    "subject",
    "recipient",
    "purpose",
    "category",
    "type",
    "country",
    "since",
    "until",
)
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, binascii.Error)


@dataclass
class InquiryCheck:
    events: int = 0
    size: int | None = None  # the checkpoint's tree size
    complete_for: str | None = None  # the subject whose events are all given
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_inquiry(bundle: Any, verifier: Verifier) -> InquiryCheck:
    """Every problem with a bundle, each naming the event or the statement."""
    check = InquiryCheck()
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        check.problems.append(f"format: expected {FORMAT!r}")
        return check
    try:
        checkpoint = parse_checkpoint(str(bundle.get("checkpoint", "")))
    except NoteError as err:
        check.problems.append(str(err))
        return check
    check.size = checkpoint.size
    if not _signed(bundle, checkpoint, verifier):
        check.problems.append(
            f"checkpoint {checkpoint.size}: not signed by {verifier.name}'s key "
            "(nor by a key it was handed over to or from)"
        )
    events = bundle.get("events")
    wanted = bundle.get("filter")
    if not isinstance(events, list) or not isinstance(wanted, dict):
        check.problems.append("events, filter: missing or malformed")
        return check
    check.events = len(events)
    check.problems.extend(_event_problems(events, wanted, checkpoint))
    subject = wanted.get("subject")
    statement = bundle.get("completeness")
    others = [k for k, v in wanted.items() if k != "subject" and v is not None]
    if subject is None or others:
        # Only a subject alone is claimed complete (docs/evidence.md §7).
        if statement is not None:
            check.problems.append(
                "completeness: given, but the filter names no subject"
                if subject is None
                else "completeness: given, but the filter is not a subject alone"
            )
        return check
    try:
        found = _completeness(events, str(subject), statement, checkpoint)
    except _MALFORMED as err:
        found = [f"completeness: malformed ({type(err).__name__}: {err})"]
    check.problems.extend(found)
    if not found:
        check.complete_for = str(subject)
    return check


def _signed(bundle: dict[str, Any], checkpoint: Checkpoint, key: Verifier) -> bool:
    """The key given, and the keys its hand-overs (carried in the bundle)
    trust, each for its span of tree sizes (ledger.checkpoints.KeyRing)."""
    notes = bundle.get("key_history") or []
    hand_overs = []
    for note in notes if isinstance(notes, list) else []:
        try:
            hand_overs.append(parse_checkpoint(str(note)))
        except NoteError:
            continue  # an unreadable hand-over trusts nothing
    return KeyRing(key, hand_overs).verifies(checkpoint)


def _where(number: int, event: Any) -> str:
    sequence = event.get("sequence") if isinstance(event, dict) else None
    return f"event {number} (seq {sequence})"


def _event_problems(
    events: list[Any], wanted: dict[str, Any], checkpoint: Checkpoint
) -> list[str]:
    problems = []
    seen: set[int] = set()
    for number, event in enumerate(events, 1):
        try:
            problem = _event_problem(event, wanted, checkpoint, seen)
        except _MALFORMED as err:
            problem = f"malformed ({type(err).__name__}: {err})"
        if problem:
            problems.append(f"{_where(number, event)}: {problem}")
    return problems


def _event_problem(
    event: dict[str, Any],
    wanted: dict[str, Any],
    checkpoint: Checkpoint,
    seen: set[int],
) -> str | None:
    # The stored bytes are required: they bind stream, version and name.
    if event["state"] is None:
        return "its stored state is missing"
    problem = check_event(event, checkpoint.size, checkpoint.root)
    if problem is not None:
        return problem
    index = int(event["leaf_index"])
    if index in seen:
        return f"leaf {index} is given twice"
    seen.add(index)
    subject = wanted.get("subject")
    if subject is not None and UUID(str(event["stream"])) != UUID(str(subject)):
        return f"of stream {event['stream']}, not of the subject's"
    kind = wanted.get("type")
    if kind is not None and event["stored_name"] != kind:
        return f"a {event['stored_name']}, not a {kind}"
    return None


def _completeness(
    events: list[Any], subject: str, statement: Any, checkpoint: Checkpoint
) -> list[str]:
    """The subject's events given are exactly those its map leaf commits to,
    and the map leaf is in the map the checkpoint signs."""
    if not isinstance(statement, dict):
        return ["completeness: no statement for the subject"]
    stream = UUID(str(statement["stream"]))
    if stream != UUID(subject):
        return [f"completeness: about stream {stream}, not the subject {subject}"]
    try:
        claim = map_claim(checkpoint)
    except NoteError as err:
        return [f"completeness: {err}"]
    if claim is None:
        return [f"completeness: checkpoint {checkpoint.size} signs no stream map"]
    indexes = [int(i) for i in statement["leaf_indexes"]]
    count = int(statement["count"])
    problems = []
    if count != len(indexes) or indexes != sorted(set(indexes)):
        problems.append(
            f"completeness: {count} events stated but {len(indexes)} leaf "
            "indexes given (or not in log order)"
        )
    given = {
        int(e["leaf_index"]): bytes.fromhex(e["leaf_hash"])
        for e in events
        if isinstance(e, dict) and UUID(str(e.get("stream"))) == stream
    }
    missing = sorted(set(indexes) - set(given))
    extra = sorted(set(given) - set(indexes))
    if missing:
        problems.append(
            f"completeness: leaf {missing[0]} of the subject is not in the bundle"
            f" ({len(missing)} missing)"
        )
    if extra:
        problems.append(
            f"completeness: leaf {extra[0]} is not one the statement lists"
            f" ({len(extra)} more than stated)"
        )
    if missing:
        return problems  # the map leaf cannot be rebuilt without them
    hashes = [(i, given[i]) for i in indexes]
    leaf = map_leaf(stream, count, head_digest(hashes))
    streams, root = claim
    size, index = int(statement["map_size"]), int(statement["map_index"])
    proof = [bytes.fromhex(p) for p in statement["map_proof"]]
    if size != streams or not verify_inclusion(leaf, index, size, proof, root):
        problems.append(
            f"completeness: the subject's map leaf does not reach the stream map"
            f" signed in checkpoint {checkpoint.size}"
        )
    return problems
