"""The stream map a checkpoint signs, kept up as a table of stream heads and
brought forward from the leaves added since the last checkpoint; both
backends. It must sign exactly the map folded from every leaf."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from ledger import clock
from ledger.notary import stream_heads
from ledger.streams import map_claim, map_line
from tests.test_erasure import rich_subject, run

if TYPE_CHECKING:
    from commands.service import Kirjuri


def _signed_and_folded(kirjuri: Kirjuri) -> tuple[object, object]:
    """The map the new checkpoint signs, and the map folded from scratch."""
    stored = kirjuri.checkpoint().checkpoint
    return map_claim(stored), stream_heads(kirjuri.merkle, stored.size).claim()


def _some_events(kirjuri: Kirjuri, number: int) -> str:
    subject = run(
        kirjuri, kind="register", company=f"Paja {number} Oy", source="subject"
    ).subject_id
    run(
        kirjuri,
        kind="collect",
        subject=str(subject),
        category="phone",
        value=f"+35840123456{number}",
        source="subject",
        purposes=["customer_relationship"],
    )
    return str(subject)


def _processed(kirjuri: Kirjuri, subject: str) -> None:
    run(kirjuri, kind="process", subject=subject, purpose="customer_relationship",
        categories=["email"], activity="sales_call")  # fmt: skip


def test_the_kept_map_is_the_map_of_every_leaf_after_checkpoints_and_erasure(
    kirjuri: Kirjuri,
) -> None:
    subject = rich_subject(kirjuri)
    signed, folded = _signed_and_folded(kirjuri)
    assert signed == folded
    for number in range(6):  # new streams and old streams that move
        _some_events(kirjuri, number)
        _processed(kirjuri, subject)
        signed, folded = _signed_and_folded(kirjuri)
        assert signed == folded
    run(kirjuri, kind="erase", subject=subject, at="2025-11-20")
    signed, folded = _signed_and_folded(kirjuri)
    assert signed == folded
    assert kirjuri.verify(use_witness=False).ok


def test_a_lost_table_of_heads_is_folded_again(kirjuri: Kirjuri) -> None:
    rich_subject(kirjuri)
    kirjuri.checkpoint()
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute("DELETE FROM {p}kirjuri_stream_heads")
    _some_events(kirjuri, 1)
    signed, folded = _signed_and_folded(kirjuri)
    assert signed == folded
    assert kirjuri.verify(use_witness=False).ok


def test_verify_catches_a_changed_stored_head(kirjuri: Kirjuri) -> None:
    subject = rich_subject(kirjuri)
    kirjuri.checkpoint()
    with kirjuri.ledger.database.transaction() as cursor:
        # Someone with the database changes the subject's stored head.
        cursor.execute(
            "UPDATE {p}kirjuri_stream_heads SET head = %s WHERE stream = %s",
            (bytes(32), UUID(subject).bytes),
        )
    _processed(kirjuri, subject)
    stored = kirjuri.checkpoint().checkpoint  # signs a map built on it
    result = kirjuri.verify(use_witness=False)
    assert [p.kind for p in result.problems] == ["map"]
    assert str(result.problems[0]).startswith(f"map: checkpoint {stored.size} (")


def test_verify_checks_the_map_of_each_checkpoint_in_one_pass(
    kirjuri: Kirjuri,
) -> None:
    rich_subject(kirjuri)
    sizes = []
    for number in range(4):
        _some_events(kirjuri, number)
        sizes.append(kirjuri.checkpoint().checkpoint.size)
    assert kirjuri.verify(use_witness=False).ok
    # The operator signs a false map in the middle of the history: the roots
    # agree, the map at that size does not (the others still do).
    (middle,) = [
        s.checkpoint for s in kirjuri.checkpoints() if s.checkpoint.size == sizes[1]
    ]
    claim = map_claim(middle)
    assert claim is not None
    false = kirjuri.signer().sign(
        middle.size, middle.root, clock.now(), [map_line(claim[0], bytes(32))]
    )
    with kirjuri.ledger.database.transaction() as cursor:
        cursor.execute(
            "UPDATE {p}kirjuri_checkpoints SET note = %s WHERE tree_size = %s",
            (false.note, middle.size),
        )
    result = kirjuri.verify(use_witness=False)
    assert [(p.kind, p.checkpoint) for p in result.problems] == [("map", sizes[1])]
