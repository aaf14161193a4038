"""The Art. 30 record checked offline: pure, no database (docs/evidence.md §8).

A signed record (JSON, ``"format": "kirjuri-ropa/1"``) holds the record of
processing activities, the signed checkpoint it rests on, the disclosure and
transfer events of its period with an inclusion proof each, and an
attestation: a signed note over the same tree size and root whose
``Kirjuri-Record:`` line carries the SHA-256 of the document's canonical
encoding (RFC 8785 for these documents: keys sorted, no whitespace, UTF-8;
they hold no floating-point number), the attestation itself left out.

    problems = verify_record(json.load(f), Verifier.parse(key)).problems
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ledger.checkpoints import KeyRing, NoteError, parse_checkpoint
from ledger.evidence import check_event

if TYPE_CHECKING:
    from ledger.checkpoints import Checkpoint, Verifier

__all__ = [
    "FORMAT",
    "RECORD_LINE",
    "USES",
    "RecordCheck",
    "canonical",
    "digest_line",
    "verify_record",
]

FORMAT = "kirjuri-ropa/1"
RECORD_LINE = "Kirjuri-Record: "
# The events that name a recipient: what "actually disclosed to" counts.
USES = ("DataProcessed", "DataDisclosed", "DataTransferred")
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, binascii.Error)


@dataclass
class RecordCheck:
    size: int | None = None
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes the attestation signs: the document without it."""
    unsigned = {k: v for k, v in document.items() if k != "attestation"}
    return json.dumps(
        unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def digest_line(document: dict[str, Any]) -> str:
    digest = hashlib.sha256(canonical(document)).hexdigest()
    return f"{RECORD_LINE}{FORMAT} sha256:{digest}"


def verify_record(document: Any, verifier: Verifier) -> RecordCheck:
    """Every problem with a signed record, each naming what it is about."""
    check = RecordCheck()
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        check.problems.append(f"format: expected {FORMAT!r}")
        return check
    try:
        checkpoint = parse_checkpoint(str(document.get("checkpoint", "")))
        attestation = parse_checkpoint(str(document.get("attestation", "")))
    except NoteError as err:
        check.problems.append(str(err))
        return check
    check.size = checkpoint.size
    keys = KeyRing(verifier, _hand_overs(document))
    if not keys.verifies(checkpoint):
        check.problems.append(
            f"checkpoint {checkpoint.size}: not signed by {verifier.name}'s key"
        )
    check.problems.extend(_attestation(document, checkpoint, attestation, keys))
    try:
        check.problems.extend(_events(document, checkpoint, check))
    except _MALFORMED as err:
        check.problems.append(f"events: malformed ({type(err).__name__}: {err})")
    return check


def _hand_overs(document: dict[str, Any]) -> list[Checkpoint]:
    found = []
    notes = document.get("key_history") or []
    for note in notes if isinstance(notes, list) else []:
        try:
            found.append(parse_checkpoint(str(note)))
        except NoteError:
            continue  # an unreadable hand-over trusts nothing
    return found


def _attestation(
    document: dict[str, Any],
    checkpoint: Checkpoint,
    attestation: Checkpoint,
    keys: KeyRing,
) -> list[str]:
    if not keys.verifies(attestation):
        return ["attestation: not signed by the ledger's key"]
    if (attestation.size, attestation.root) != (checkpoint.size, checkpoint.root):
        return [f"attestation: about another tree than checkpoint {checkpoint.size}"]
    lines = [x for x in attestation.body.splitlines() if x.startswith(RECORD_LINE)]
    if lines != [digest_line(document)]:
        return ["attestation: the record's digest differs (the file was changed)"]
    record = document.get("record")
    if not isinstance(record, dict) or record.get("ledger_events") != checkpoint.size:
        return [f"record: not made at checkpoint {checkpoint.size}"]
    return []


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _events(
    document: dict[str, Any], checkpoint: Checkpoint, check: RecordCheck
) -> list[str]:
    """Each event proven; then the recipients disclosed to, recounted from
    the events, must be those the record states per activity."""
    record, events = document["record"], document["events"]
    since, until = _moment(record.get("since")), _moment(record.get("until"))
    problems, seen = [], set()
    counted: Counter[tuple[str, str]] = Counter()
    check.events = len(events)
    for number, event in enumerate(events, 1):
        where = f"event {number} (seq {event.get('sequence')})"
        problem = check_event(event, checkpoint.size, checkpoint.root)
        if problem is None and int(event["leaf_index"]) in seen:
            problem = "given twice"
        state = json.loads(base64.b64decode(event["state"]))
        moment = datetime.fromisoformat(state["occurred_at"])
        if problem is None and event["stored_name"] not in USES:
            problem = f"a {event['stored_name']}, not a use of data"
        if problem is None and (
            (since is not None and moment < since)
            or (until is not None and moment >= until)
        ):
            problem = "outside the record's period"
        if problem is not None:
            problems.append(f"{where}: {problem}")
            continue
        seen.add(int(event["leaf_index"]))
        if state.get("recipient"):
            counted[(state["purpose"], state["recipient"])] += 1
    stated: Counter[tuple[str, str]] = Counter()
    for activity in record["activities"]:
        for use in activity["recipients"]:
            if use["events"]:
                stated[(activity["id"], use["id"])] += use["events"]
    for key in sorted(set(counted) | set(stated)):
        if counted[key] != stated[key]:
            problems.append(
                f"recipients: {key[1]} for {key[0]}: the record states"
                f" {stated[key]} events, the events given show {counted[key]}"
            )
    return problems
