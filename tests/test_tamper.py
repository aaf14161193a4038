"""Attacks on the stored ledger, on both backends: each is caught and pinpointed.

An administrator with database access changes, deletes, inserts or reorders
events or checkpoints; `verify` must fail and name the first event (and the
checkpoint) that no longer holds. An untouched ledger verifies clean.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest

from commands.models import parse_command
from commands.usecases.integrity import build_evidence
from ledger.checkpoints import parse_checkpoint
from ledger.evidence import verify_evidence
from ledger.verification import Verification, verify_ledger
from tests.rawdb import events_table

if TYPE_CHECKING:
    from pathlib import Path

    from commands.service import Kirjuri


def _fill(kirjuri: Kirjuri, subjects: int = 4, first: int = 0) -> None:
    for i in range(first, first + subjects):
        kirjuri.execute(
            parse_command(
                {"kind": "register", "company": f"Yritys {i} Oy", "source": "subject",
                 "email": f"h{i}@yritys.example", "name": f"Henkilö {i}"}
            )
        )  # fmt: skip
    kirjuri.checkpoint()


def _verify(kirjuri: Kirjuri, external: list[Any] | None = None) -> Verification:
    checkpoints = [s.checkpoint for s in kirjuri.notary.all()] + (external or [])
    return verify_ledger(
        kirjuri.ledger,
        kirjuri.merkle,
        checkpoints,
        kirjuri.signer().verifier,
        kirjuri.origin,
    )


def _sql(kirjuri: Kirjuri, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
    database = kirjuri.ledger.database
    with database.transaction() as cursor:
        cursor.execute(statement.replace("{events}", _events(kirjuri)), params)
        try:
            return list(cursor.fetchall())
        except Exception:
            return []


def _events(kirjuri: Kirjuri) -> str:
    return kirjuri.ledger.database.sql(events_table(kirjuri)[0])


def _id_column(kirjuri: Kirjuri) -> str:
    return events_table(kirjuri)[1]


def _row(kirjuri: Kirjuri, sequence: int) -> dict[str, Any]:
    column = _id_column(kirjuri)
    rows = _sql(kirjuri, f"SELECT * FROM {{events}} WHERE {column} = %s", (sequence,))
    return dict(rows[0])


def test_an_untouched_ledger_verifies_clean_after_a_rebuild(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    kirjuri.projector.rebuild()
    kirjuri.checkpoint()
    result = _verify(kirjuri)
    assert result.ok, result.problems
    assert result.events == kirjuri.ledger.head()
    assert result.checkpoints == 1  # nothing new to sign after the rebuild


def test_a_flipped_byte_of_stored_state_is_pinpointed(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    row = _row(kirjuri, 7)
    state = bytearray(row["state"])
    state[10] ^= 0x01
    column = _id_column(kirjuri)
    _sql(
        kirjuri, f"UPDATE {{events}} SET state = %s WHERE {column} = 7", (bytes(state),)
    )
    result = _verify(kirjuri)
    assert not result.ok
    first = result.problems[0]
    assert (first.kind, first.sequence, first.version) == (
        "altered",
        7,
        row["originator_version"],
    )
    assert UUID(str(first.stream)) == UUID(str(row["originator_id"]))
    assert any(p.kind == "root" for p in result.problems)


def test_a_changed_topic_is_pinpointed(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    column = _id_column(kirjuri)
    _sql(kirjuri, f"UPDATE {{events}} SET topic = 'DataRectified' WHERE {column} = 3")
    result = _verify(kirjuri)
    assert [(p.kind, p.sequence) for p in result.problems[:1]] == [("altered", 3)]


def test_a_deleted_middle_event_is_named(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    row = _row(kirjuri, 6)
    _sql(kirjuri, f"DELETE FROM {{events}} WHERE {_id_column(kirjuri)} = 6")
    result = _verify(kirjuri)
    kinds = {p.kind for p in result.problems}
    first = result.problems[0]
    assert (first.kind, first.sequence) == ("removed", 6)
    assert first.version == row["originator_version"]
    assert "gap" in kinds  # the stream now skips a version
    assert "missing" in kinds  # the checkpoint covers one event more than is left


def test_two_swapped_events_are_caught_as_reordered(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    a, b = _row(kirjuri, 4), _row(kirjuri, 5)
    column = _id_column(kirjuri)
    for target, source in ((4, b), (5, a)):
        _sql(
            kirjuri,
            f"UPDATE {{events}} SET originator_id = %s, originator_version = %s,"
            f" topic = %s, state = %s WHERE {column} = %s",
            (
                source["originator_id"],
                -target,
                source["topic"],
                source["state"],
                target,
            ),
        )
    for target, source in ((4, b), (5, a)):
        _sql(
            kirjuri,
            f"UPDATE {{events}} SET originator_version = %s WHERE {column} = %s",
            (source["originator_version"], target),
        )
    result = _verify(kirjuri)
    assert (result.problems[0].kind, result.problems[0].sequence) == ("reordered", 4)


def test_a_forged_event_inserted_before_the_others_is_caught(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    real = _row(kirjuri, 2)
    column = _id_column(kirjuri)
    _sql(
        kirjuri,
        f"INSERT INTO {{events}} ({column}, originator_id, originator_version, topic,"
        " state) VALUES (0, %s, 99, %s, %s)",
        (real["originator_id"], real["topic"], real["state"]),
    )
    result = _verify(kirjuri)
    assert (result.problems[0].kind, result.problems[0].sequence) == ("inserted", 0)
    assert any(p.kind == "root" for p in result.problems)


def test_deleting_the_newest_events_and_their_checkpoints_is_caught_outside(
    kirjuri: Kirjuri, tmp_path: Path
) -> None:
    _fill(kirjuri, 2)
    kept = kirjuri.checkpoint()
    _fill(kirjuri, 2, first=2)  # two more people
    outside = tmp_path / "checkpoint.txt"
    outside.write_text(kirjuri.checkpoint().checkpoint.note, encoding="utf-8")
    size = kept.checkpoint.size
    column = _id_column(kirjuri)
    _sql(kirjuri, f"DELETE FROM {{events}} WHERE {column} > %s", (size,))
    _sql(kirjuri, "DELETE FROM {p}kirjuri_checkpoints WHERE tree_size > %s", (size,))
    _sql(
        kirjuri, "DELETE FROM {p}kirjuri_merkle_leaves WHERE leaf_index >= %s", (size,)
    )
    assert _verify(kirjuri).ok  # what the database still holds is consistent…
    external = parse_checkpoint(outside.read_text(encoding="utf-8"))
    result = _verify(kirjuri, [external])  # …but not with what was kept outside
    assert [p.kind for p in result.problems] == ["missing"]
    assert str(external.size) in result.problems[0].message


def test_a_checkpoint_root_replaced_without_the_key_is_caught(kirjuri: Kirjuri) -> None:
    _fill(kirjuri)
    note = kirjuri.notary.all()[-1].checkpoint.note
    lines = note.split("\n")
    lines[2] = "A" * 43 + "="  # another root, same shape
    _sql(kirjuri, "UPDATE {p}kirjuri_checkpoints SET note = %s", ("\n".join(lines),))
    result = _verify(kirjuri)
    assert result.problems[0].kind == "signature"


def test_evidence_verifies_without_a_database_and_fails_when_forged(
    kirjuri: Kirjuri,
) -> None:
    _fill(kirjuri)
    evidence = build_evidence(kirjuri, [3, 5], hashes_only=False)
    verifier = kirjuri.signer().verifier
    decoded = json.loads(json.dumps(evidence))  # as a file would carry it
    assert verify_evidence(decoded, verifier) == []
    forged = json.loads(json.dumps(evidence))
    forged["events"][1]["state"] = forged["events"][0]["state"]
    assert "event 2 (seq 5)" in verify_evidence(forged, verifier)[0]
    hashes_only = build_evidence(kirjuri, [5], hashes_only=True)
    assert hashes_only["events"][0]["state"] is None
    assert verify_evidence(hashes_only, verifier) == []


@pytest.mark.parametrize("field", ["leaf_index", "inclusion_proof"])
def test_evidence_with_a_wrong_position_or_proof_fails(
    kirjuri: Kirjuri, field: str
) -> None:
    _fill(kirjuri)
    evidence = build_evidence(kirjuri, [4], hashes_only=False)
    if field == "leaf_index":
        evidence["events"][0]["leaf_index"] += 1
    else:
        evidence["events"][0]["inclusion_proof"][0] = "00" * 32
    assert verify_evidence(evidence, kirjuri.signer().verifier)
