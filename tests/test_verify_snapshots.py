"""`verify --read-models` checks the stored snapshots against the events,
like every other cache that can be rebuilt from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.test_snapshots import busy_subject

if TYPE_CHECKING:
    from commands.service import Kirjuri


def test_verify_read_models_names_a_snapshot_that_differs_from_the_events(
    kirjuri: Kirjuri,
) -> None:
    subject = busy_subject(kirjuri)
    kirjuri.checkpoint()
    assert kirjuri.verify(read_models=True).ok
    wrong = kirjuri.ledger.load(subject)
    wrong.source = "somewhere_else"
    wrong.version += 1  # newer than the stored one, so it is written
    kirjuri.ledger.state_snapshots.put([wrong])
    result = kirjuri.verify(read_models=True)
    assert [(p.kind, str(subject) in p.message) for p in result.problems] == [
        ("snapshot", True)
    ]
    assert kirjuri.verify().ok  # the log itself is untouched
