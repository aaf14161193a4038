"""Several `kirjuri apply` processes on the same subjects at once: none dies,
every line is recorded exactly once, verify passes, read models equal a
rebuild (issue 9, "Concurrent writers"; bench.writers runs the full target)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import OperationalError

from bench.interrupted import init, read_models, story, verified
from bench.writers import feeds, start_writers
from commands import service
from commands.models import parse_command
from commands.service import Kirjuri
from tests.conftest import POLICY, delivery

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from commands.bootstrap import Settings

WRITERS, COMMANDS, SUBJECTS = 8, 100, 6
REGISTER = (
    '{"kind": "register", "company": "A Oy", "source": "subject",'
    ' "email": "a%d@a.example", "at": "2025-01-02"}'
)


def test_concurrent_writers_on_shared_subjects_all_succeed(
    settings: Settings, tmp_path: Path
) -> None:
    init(settings)
    paths = feeds(tmp_path, WRITERS, COMMANDS, SUBJECTS, settings)
    results = start_writers(settings, paths, batch_size=10)

    for code, out, err in results:
        assert code == 0, err[-800:]
        assert out.startswith(f"recorded {COMMANDS}, duplicates 0, rejected 0"), (
            out + err[-800:]
        )
    with Kirjuri.open(settings) as kirjuri:
        receipts = [e[1] for e in story(kirjuri) if e[0] == "receipt"]
        wanted = {f"w{w}-{i}" for w in range(WRITERS) for i in range(COMMANDS)}
        written = [r for r in receipts if r.startswith("w")]
        assert sorted(written) == sorted(wanted)  # none lost, none doubled
        assert verified(kirjuri)
        kirjuri.catch_up()
        before = read_models(kirjuri)
        kirjuri.projector.rebuild()
        assert read_models(kirjuri) == before


def test_two_writers_signing_the_same_checkpoint_both_succeed(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second writer read the latest checkpoint before the first stored
    its own of the same size: it finds that one instead of failing."""
    kirjuri.apply([REGISTER % 1])
    earlier = kirjuri.notary.latest()
    kirjuri.apply([REGISTER % 2])
    first = kirjuri.notary.latest()
    assert first is not None and earlier is not None and first != earlier
    monkeypatch.setattr(kirjuri.notary, "latest", lambda: earlier)
    second = kirjuri.notary.issue()
    assert second.checkpoint == first.checkpoint
    monkeypatch.undo()
    sizes = [c.checkpoint.size for c in kirjuri.checkpoints()]
    assert len(sizes) == len(set(sizes))
    assert kirjuri.verify().ok


def test_a_write_that_found_the_database_locked_is_tried_again(
    kirjuri: Kirjuri, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's lock timeout (another writer held the database) is no reason
    to stop a feed: the batch is judged and saved again."""
    append = kirjuri.ledger.append
    failures = iter([OperationalError("database is locked")])

    def busy_once(events: Any) -> list[int]:
        for failure in failures:
            raise failure
        return append(events)

    monkeypatch.setattr(kirjuri.ledger, "append", busy_once)
    report = kirjuri.apply([REGISTER % 3, REGISTER % 4])
    assert (report.recorded, report.rejected, report.failure) == (2, (), None)


def test_a_facade_judges_its_next_command_on_what_another_writer_stored(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A facade keeps the states its single commands saved (RecentStates);
    a restriction another writer recorded since must still count, at the
    first attempt (a kept state brought forward, not a clash retried)."""
    retries: list[int] = []
    monkeypatch.setattr(service, "_pause", retries.append)
    with Kirjuri.open(settings, create=True) as ours, Kirjuri.open(settings) as theirs:
        ours.ledger.adopt_policy(POLICY.read_text(encoding="utf-8"), str(POLICY))
        registered = ours.execute(
            parse_command(
                {
                    "kind": "register",
                    "company": "Toinen Oy",
                    "source": "subject",
                    "email": "toinen@example.fi",
                    "name": "Toinen",
                }
            )
        )
        subject = str(registered.subject_id)
        first = ours.execute(parse_command(delivery(subject, "D-1")))
        assert [f.rule for f in first.findings] == []
        theirs.execute(
            parse_command(
                {"kind": "restrict", "subject": subject, "ground": "legal_claims"}
            )
        )
        second = ours.execute(parse_command(delivery(subject, "D-2")))
        assert "restricted" in [f.rule for f in second.findings]
        assert retries == []
        versions = [e.originator_version for e in ours.ledger.stream(UUID(subject))]
        assert versions == list(range(1, len(versions) + 1))
