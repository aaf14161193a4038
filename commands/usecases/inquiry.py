"""Inquiry bundles: the events an authority asks for, proven, in one file.

The bundle (docs/evidence.md §7) is proven against one signed checkpoint:
the newest, signed first if events are newer. For a subject it holds every
event of the subject's stream at that checkpoint and the completeness
statement (its leaf in the checkpoint's stream map, with a proof), so a
subject's bundle takes no other filter: a part of a history cannot be shown
complete, and the whole one can be filtered by whoever reads it. Values stay
sealed as stored; a caller whose role sees values (a dpo) may have them
opened beside the stored events, with a purpose of access recorded on each
person's record first (``for_caller``). Opened values are the operator's
statement, not proven: the proofs cover the sealed events.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from commands.usecases import identities
from commands.usecases.identities import NotPermitted
from ledger import events as ev
from ledger.checkpoints import Verifier, announcement
from ledger.errors import InvalidCommand
from ledger.inquiry import FORMAT, InquiryCheck, verify_inquiry
from ledger.notary import LogInconsistent, stream_heads
from ledger.streams import map_claim

if TYPE_CHECKING:
    from commands.service import Kirjuri
    from commands.usecases.identities import Caller
    from ledger.checkpoints import Checkpoint
    from projections.queries import HistoryFilter

__all__ = ["Inquiry", "build_inquiry", "for_caller", "proven_event", "verify_bundle"]


@dataclass(frozen=True)
class Inquiry:
    bundle: dict[str, Any]  # the JSON written, as docs/evidence.md §7 says

    @property
    def events(self) -> int:
        return len(self.bundle["events"])

    @property
    def size(self) -> int:
        return int(self.bundle["checkpoint"].split("\n")[1])


def _filter(wanted: HistoryFilter) -> dict[str, str | None]:
    return {
        "subject": wanted.subject,
        "recipient": wanted.recipient,
        "purpose": wanted.purpose,
        "category": wanted.category,
        "type": wanted.event_type,
        "country": wanted.country,
        "since": None if wanted.since is None else wanted.since.isoformat(),
        "until": None if wanted.until is None else wanted.until.isoformat(),
    }


def build_inquiry(kirjuri: Kirjuri, wanted: HistoryFilter) -> Inquiry:
    """The bundle for a checked filter (the facade resolved the subject)."""
    given = {k: v for k, v in _filter(wanted).items() if v is not None}
    # A subject alone: all of its events, shown complete. With other filters
    # (a regulator's window adds its own): those events, with no such claim.
    whole = wanted.subject if len(given) == 1 else None
    stored = kirjuri.checkpoint().checkpoint
    size = stored.size
    completeness = None
    if whole is not None:
        leaves = [
            row for row in kirjuri.merkle.leaves_of(whole) if row["leaf_index"] < size
        ]
        completeness = _statement(kirjuri, stored, whole, leaves)
    else:
        rows = kirjuri.history(
            subject=wanted.subject,
            recipient=wanted.recipient,
            purpose=wanted.purpose,
            category=wanted.category,
            event_type=wanted.event_type,
            country=wanted.country,
            since=wanted.since,
            until=wanted.until,
        )
        found = kirjuri.merkle.leaves_of_sequences([r.notification_id for r in rows])
        leaves = sorted(
            (row for row in found.values() if row["leaf_index"] < size),
            key=lambda row: row["leaf_index"],
        )
    hand_overs = [
        s.checkpoint.note
        for s in kirjuri.checkpoints()
        if announcement(s.checkpoint) is not None
    ]
    return Inquiry(
        {
            "format": FORMAT,
            "origin": kirjuri.origin,
            "public_key": str(kirjuri.signer().verifier),
            "checkpoint": stored.note,
            "key_history": hand_overs,
            "filter": _filter(wanted),
            "events": [proven_event(kirjuri, row, size) for row in leaves],
            "completeness": completeness,
        }
    )


def _statement(
    kirjuri: Kirjuri, stored: Checkpoint, subject: str, leaves: list[dict[str, Any]]
) -> dict[str, Any]:
    """The subject's map leaf and its proof, from the stored leaves; they
    must give the map the checkpoint signs, or nothing is written."""
    claim = map_claim(stored)
    if claim is None:
        raise InvalidCommand(
            "subject",
            f"the newest checkpoint ({stored.size} events) was signed before"
            " stream maps existed: record an event, then 'kirjuri checkpoint'",
        )
    heads = stream_heads(kirjuri.merkle, stored.size)
    if heads.claim() != claim:
        raise LogInconsistent(
            f"the Merkle log's leaves do not give the stream map of checkpoint "
            f"{stored.size}: not written; run 'kirjuri verify'"
        )
    index, map_size, proof = heads.proof(subject)
    return {
        "stream": subject,
        "count": len(leaves),
        "leaf_indexes": [row["leaf_index"] for row in leaves],
        "map_index": index,
        "map_size": map_size,
        "map_proof": [p.hex() for p in proof],
    }


def proven_event(kirjuri: Kirjuri, leaf: dict[str, Any], size: int) -> dict[str, Any]:
    """A leaf as a bundle holds it: the stored event and its proof."""
    sequence = int(leaf["notification_id"])
    found = kirjuri.ledger.notifications(sequence - 1, 1)
    if not found or found[0].id != sequence:
        raise LogInconsistent(
            f"seq {sequence} is in the Merkle log but no longer stored:"
            " not written; run 'kirjuri verify'"
        )
    return {
        "sequence": sequence,
        "leaf_index": leaf["leaf_index"],
        "stream": leaf["stream"],
        "version": leaf["version"],
        "stored_name": leaf["topic"],
        "state": base64.b64encode(found[0].state).decode(),
        "leaf_hash": bytes(leaf["hash"]).hex(),
        "inclusion_proof": [
            p.hex() for p in kirjuri.merkle.inclusion_proof(leaf["leaf_index"], size)
        ],
    }


def verify_bundle(bundle: Any, public_key: str) -> InquiryCheck:
    """A bundle (parsed JSON) against a public key; no database."""
    return verify_inquiry(bundle, Verifier.parse(public_key))


def for_caller(
    kirjuri: Kirjuri,
    caller: Caller,
    purpose: str | None,
    open_values: bool,
    filters: dict[str, Any],
) -> Inquiry:
    """A bundle for a token or a signed-in person (filters already narrowed
    to its window): within its subjects, opened only for a role that sees
    values and only with a purpose, recorded on each person's record."""
    if open_values and caller.masked:
        raise NotPermitted(
            f"open: the {caller.role} role sees values masked; its bundles stay sealed"
        )
    reason = (purpose or "").strip()
    if open_values and not reason:
        raise InvalidCommand(
            "purpose", "required to open values: it is put on each person's record"
        )
    made = kirjuri.inquiry(**filters)
    streams = sorted({str(e["stream"]) for e in made.bundle["events"]})
    for stream in streams:
        if caller.subjects:
            identities.check_reach(caller, UUID(stream))
    if not open_values:
        return made
    for stream in streams:
        identities.consulted(kirjuri.ledger, UUID(stream), "inquiry", caller, reason)
    kirjuri.catch_up()
    events = [e | _opened(kirjuri, e) for e in made.bundle["events"]]
    return Inquiry(
        made.bundle
        | {"events": events, "opened": {"role": caller.role, "purpose": reason}}
    )


def _opened(kirjuri: Kirjuri, event: dict[str, Any]) -> dict[str, Any]:
    """The event's sealed values in clear (None: erased), by category."""
    stored = kirjuri.ledger.notifications(int(event["sequence"]) - 1, 1)[0]
    domain = kirjuri.ledger.mapper.to_domain_event(stored)
    subject, ledger = UUID(str(event["stream"])), kirjuri.ledger
    values: dict[str, str | None] = {}
    if isinstance(domain, ev.SubjectRegistered):
        values["company"] = ledger.open_or_none(subject, "company", domain.company_name)
        if domain.business_id is not None:
            values["business_id"] = ledger.open_or_none(
                subject, "company", domain.business_id
            )
    elif isinstance(domain, (ev.DataCollected, ev.DataRectified)):
        values[domain.category] = ledger.open_or_none(
            subject, domain.category, domain.value
        )
    return {"opened": values} if values else {}
