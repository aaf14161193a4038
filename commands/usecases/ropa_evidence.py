"""The Art. 30 record made verifiable offline (docs/evidence.md §8): the
record, the signed checkpoint it rests on, the period's uses of data that
name a recipient, each proven, and the ledger's signature over it all."""

from __future__ import annotations

import base64
from datetime import UTC
from typing import TYPE_CHECKING, Any

from commands.usecases.inquiry import proven_event
from ledger.checkpoints import announcement
from ledger.clock import now as clock_now
from ledger.notary import LogInconsistent
from ledger.ropa_check import FORMAT, USES, digest_line
from projections.reports.ropa import build_processing_record

if TYPE_CHECKING:
    from datetime import datetime

    from commands.service import Kirjuri
    from projections.reports.model import Language

__all__ = ["signed_record"]


def _uses(
    kirjuri: Kirjuri, since: datetime | None, until: datetime | None
) -> list[int]:
    """Sequences of the period's uses of data that name a recipient."""
    found: list[int] = []
    for kind in USES:
        rows = kirjuri.history(event_type=kind, since=since, until=until)
        found.extend(r.notification_id for r in rows if r.recipient)
    return sorted(found)


def signed_record(
    kirjuri: Kirjuri,
    since: datetime | None,
    until: datetime | None,
    language: Language,
) -> dict[str, Any]:
    kirjuri.catch_up()
    stored = kirjuri.checkpoint().checkpoint
    size = stored.size
    record = build_processing_record(
        kirjuri.ledger.database,
        kirjuri.ledger.policy,
        size,
        since=since,
        until=until,
        language=language,
    )
    found = kirjuri.merkle.leaves_of_sequences(_uses(kirjuri, since, until))
    leaves = sorted(found.values(), key=lambda row: row["leaf_index"])
    if any(row["leaf_index"] >= size for row in leaves):
        # A use recorded between the checkpoint and the record: the record
        # would count what the checkpoint does not hold.
        raise LogInconsistent("events arrived while the record was made: ask again")
    signer = kirjuri.signer()
    document: dict[str, Any] = {
        "format": FORMAT,
        "origin": kirjuri.origin,
        "public_key": str(signer.verifier),
        "checkpoint": stored.note,
        "key_history": [
            s.checkpoint.note
            for s in kirjuri.checkpoints()
            if announcement(s.checkpoint) is not None
        ],
        "record": record.model_dump(mode="json"),
        "events": [proven_event(kirjuri, row, size) for row in leaves],
    }
    stamp = clock_now().astimezone(UTC).isoformat(timespec="seconds")
    root = base64.b64encode(stored.root).decode()
    body = f"{kirjuri.origin}\n{size}\n{root}\nTimestamp: {stamp}\n"
    body += digest_line(document) + "\n"
    document["attestation"] = f"{body}\n\u2014 {signer.name} {signer.signature(body)}\n"
    return document
