"""Kirjuri as a library: run commands, keep read models current, resolve names.

kirjuri = Kirjuri.open(Settings.from_environ())
outcome = kirjuri.execute(parse_command({...}))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from eventsourcing.persistence import PersistenceError

from commands.bootstrap import Settings, build_ledger, signing_key
from commands.handlers import Outcome, handle
from commands.search import SubjectMatch, find_subjects
from ledger.checkpoints import Signer
from ledger.errors import (
    ConcurrencyConflict,
    InvalidCommand,
    KirjuriError,
    UnknownSubject,
)
from ledger.events import POLICY_STREAM
from ledger.keys import LEDGER_SUBJECT
from ledger.notary import Notary, StoredCheckpoint, ledger_origin
from ledger.run import Run
from projections import queries
from projections.merkle import MerkleStore
from projections.runner import Projector

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ledger.application import Ledger
    from projections.runner import Progress

__all__ = ["Kirjuri"]

log = structlog.get_logger("kirjuri")

_MIN_PREFIX = 8
# Commands that may collect a looked-up value (an email) and so must see
# every objection kept after an erasure.
_READS_SUPPRESSION = frozenset({"register", "collect", "rectify"})
# Erasure destroys keys once its event is saved: it runs on its own.
_UNBATCHED = frozenset({"erase"})
# Streams that are the ledger's own, never a data subject's.
RESERVED_STREAMS = frozenset({POLICY_STREAM, LEDGER_SUBJECT})


@dataclass
class BatchReport:
    """What a bulk run did, by command number (a feed's line, a CSV's row)."""

    findings: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    done: list[tuple[int, str]] = field(default_factory=list)  # (number, kind)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    last: int = 0  # the highest number recorded
    stopped: bool = False  # ended early (a signal), after a saved batch
    failure: Exception | None = None  # the database or input failed mid-run

    @property
    def recorded(self) -> int:
        return len(self.done)

    @property
    def handled(self) -> int:
        return len(self.done) + len(self.duplicates) + len(self.rejected)


@dataclass
class _Attempt:
    """One try at a batch: nothing of it counts until its save succeeded."""

    done: list[tuple[int, str, int]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def add_to(self, report: BatchReport) -> None:
        report.done.extend((number, kind) for number, kind, _ in self.done)
        report.findings += sum(found for _, _, found in self.done)
        report.duplicates.extend(self.duplicates)
        report.rejected.extend(self.rejected)
        if self.done:
            report.last = max(report.last, *(number for number, _, _ in self.done))


def _duplicate_of(receipt: Any) -> Outcome:
    """A command already recorded: its original subject and request."""
    return Outcome(receipt.subject_id, request_id=receipt.request_id, duplicate=True)


def _log_outcome(command: Any, outcome: Outcome) -> None:
    log.info(
        "recorded",
        command=command.kind,
        subject=str(outcome.subject_id),
        events=len(outcome.events),
        findings=[f.rule for f in outcome.findings],
    )


class Kirjuri:
    def __init__(
        self, ledger: Ledger, projector: Projector, settings: Settings | None = None
    ) -> None:
        self.ledger = ledger
        self.projector = projector
        self.settings = settings or Settings()
        self.merkle = MerkleStore(ledger.database)
        self.origin = ledger_origin(ledger.database)
        self._signer: Signer | None = None
        self.notary = Notary(ledger.database, self.merkle, self.signer)

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> Kirjuri:
        ledger = build_ledger(settings, create=create)
        kirjuri = cls(ledger, Projector(ledger), settings)
        if create:
            kirjuri.signer(create=True)
        return kirjuri

    def signer(self, *, create: bool = False) -> Signer:
        """The checkpoint signer, its key loaded (or made, at init) on first use."""
        if self._signer is None:
            key = signing_key(self.settings, create=create)
            self._signer = Signer(self.origin, key)
        return self._signer

    def last_verified(self) -> int | None:
        """The sequence up to which the last clean verify reached."""
        with self.ledger.database.transaction(commit=False) as cursor:
            cursor.execute("SELECT value FROM {p}kirjuri_meta WHERE name = 'verified'")
            row = cursor.fetchone()
        return None if row is None else int(row["value"])

    def remember_verified(self, sequence: int) -> None:
        with self.ledger.database.transaction() as cursor:
            cursor.execute(
                "INSERT INTO {p}kirjuri_meta (name, value) VALUES ('verified', %s)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (str(sequence),),
            )

    def checkpoint(self) -> StoredCheckpoint:
        """Bring the Merkle log up to date and sign it."""
        self.catch_up()
        return self.notary.issue()

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Kirjuri:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, command: Any, *, catch_up: bool = True) -> Outcome:
        """Record one command; read models follow unless told not to.

        A command whose `command_id` was already recorded writes nothing and
        comes back as a duplicate, with the original subject and request."""
        if command.kind in _READS_SUPPRESSION:
            self.catch_up()  # the suppression list must include every erasure
        for attempt in (1, 2):
            if command.command_id:
                key = "command:" + command.command_id
                receipt = self.ledger.receipts([key]).get(key)
                if receipt is not None:
                    return _duplicate_of(receipt)
            run = Run(self.ledger, self._lookup_saved, self._with_email)
            outcome = self._record(run, command)
            try:
                run.save()
            except ConcurrencyConflict:
                if attempt == 2:
                    raise
                continue  # another writer won: look again (a duplicate now?)
            break
        _log_outcome(command, outcome)
        if catch_up:
            self.catch_up()
        return outcome

    def execute_many(
        self,
        commands: Iterable[tuple[int, Any]],
        *,
        batch_size: int = 500,
        progress: Progress | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> BatchReport:
        """Record numbered commands in batches of one save each; commands of
        the same number (the rows of one CSV line) are never split.

        A command refused as malformed is reported and skipped (it wrote
        nothing); the others of its batch are recorded. A command whose id is
        already recorded (before, or earlier in the run) is counted as a
        duplicate and writes nothing. If a batch's save fails, it is tried
        once more (a racing writer may have recorded some of its commands:
        they are then duplicates); if it fails again, none of its commands is
        recorded, and all are reported. `stop` is asked between batches (a
        signal arrived): the run ends after the batch it just saved."""
        report = BatchReport()
        run = Run(self.ledger, self._lookup_in_run, self._with_email, bulk=True)
        try:
            self._run_all(run, commands, report, batch_size, progress, stop)
        except (PersistenceError, OSError) as err:
            # The database or the input failed mid-run: what was saved stays,
            # and the caller still says so (and checkpoints it).
            report.failure = err
            return report
        self.catch_up()
        return report

    def _run_all(  # noqa: PLR0917 - execute_many's arguments, passed once
        self,
        run: Run,
        commands: Iterable[tuple[int, Any]],
        report: BatchReport,
        batch_size: int,
        progress: Progress | None,
        stop: Callable[[], bool] | None,
    ) -> None:
        pending: list[tuple[int, Any]] = []
        for item in commands:
            # Commands of one number (one CSV row) stay in one batch.
            if len(pending) >= batch_size and item[0] != pending[-1][0]:
                self._run_batch(run, pending, report)
                pending = []
                if progress is not None:
                    progress.advance(report.handled)
                if stop is not None and stop():
                    report.stopped = True
                    return
            pending.append(item)
            if item[1].kind in _UNBATCHED:
                self._run_batch(run, pending, report)
                pending = []
        if pending:
            self._run_batch(run, pending, report)

    def _run_batch(
        self, run: Run, items: list[tuple[int, Any]], report: BatchReport
    ) -> None:
        single = [item for item in items if item[1].kind in _UNBATCHED]
        batched = [item for item in items if item[1].kind not in _UNBATCHED]
        for attempt in (1, 2):
            self.catch_up()  # erasures before this batch are in the suppression list
            run.begin(queries.suppression_list(self.ledger.database))
            attempted = self._attempt(run, batched)
            try:
                run.save()
            except ConcurrencyConflict as err:
                if attempt == 1:
                    continue  # once more: a racing writer's commands drop out
                attempted.rejected.extend(
                    (number, f"batch not saved: {err}")
                    for number, _, _ in attempted.done
                )
                attempted.done = []
            break
        attempted.add_to(report)
        if attempted.done:
            log.info(
                "batch recorded",
                commands=len(attempted.done),
                duplicates=len(attempted.duplicates),
                last=attempted.done[-1][0],
            )
        for number, command in single:  # erasure destroys keys: never batched
            try:
                outcome = self.execute(command)
            except KirjuriError as err:
                report.rejected.append((number, str(err)))
            else:
                kept = report.duplicates if outcome.duplicate else report.done
                kept.append((number, command.kind))
                report.findings += len(outcome.findings)
                report.last = max(report.last, number)
            finally:
                run.forget()  # an erased email must not resolve from memory

    def _attempt(self, run: Run, batched: list[tuple[int, Any]]) -> _Attempt:
        """Run a batch's commands into the run (not saved yet)."""
        attempt = _Attempt()
        keys = ["command:" + c.command_id for _, c in batched if c.command_id]
        recorded = self.ledger.receipts(keys)  # one query for the whole batch
        for number, command in batched:
            if command.command_id:
                receipt = recorded.get("command:" + command.command_id)
                if receipt is not None:
                    attempt.duplicates.append((number, command.kind))
                    continue
                if command.command_id in run.receipts:  # earlier in this batch
                    attempt.duplicates.append((number, command.kind))
                    continue
            try:
                outcome = self._record(run, command)
            except KirjuriError as err:  # it appended nothing
                attempt.rejected.append((number, str(err)))
                continue
            if outcome.duplicate:
                attempt.duplicates.append((number, command.kind))
            else:
                attempt.done.append((number, command.kind, len(outcome.findings)))
        return attempt

    def _record(self, run: Run, command: Any) -> Outcome:
        """A command's events and its receipt into the run's batch; names it
        made are remembered for the commands after it."""
        outcome = handle(run, command)
        if command.command_id and not outcome.duplicate:
            run.append([run.receipt(command, outcome.subject_id, outcome.request_id)])
            run.receipts[command.command_id] = outcome
        if command.kind == "register" and command.email:
            run.name(command.email, outcome.subject_id)
        if outcome.request_id:
            run.name("request:" + outcome.request_id, outcome.subject_id)
        run.name(str(outcome.subject_id), outcome.subject_id)
        return outcome

    def catch_up(self, progress: Progress | None = None) -> int:
        return self.projector.catch_up(progress)

    def subjects(self, search: str) -> list[SubjectMatch]:
        """Subjects by email (exact, any case), name prefix or company
        (see commands.search for how sealed names are searched)."""
        self.catch_up()
        emails = self._with_email(search.strip()) if "@" in search else None
        return find_subjects(self.ledger, search, emails)

    def resolve(self, reference: str) -> UUID:
        """A subject by id, unique id prefix, email, or ``request:ID``."""
        return self._lookup_saved(reference)

    def _lookup_in_run(self, reference: str) -> UUID:
        # A bulk run's batch caught the read models up when it opened.
        return self._lookup_saved(reference, catch_up=False)

    def _with_email(self, email: str) -> list[UUID]:
        """Saved subjects with an email (the read models are caught up)."""
        lookup = self.ledger.lookup_hash("email", email)
        return [
            UUID(s) for s in queries.subjects_by_lookup(self.ledger.database, lookup)
        ]

    def _lookup_saved(self, reference: str, *, catch_up: bool = True) -> UUID:
        """A saved subject, as the event store and the read models know it."""
        reference = reference.strip()
        try:
            subject_id = UUID(reference)
        except ValueError:
            pass
        else:
            # The policy's and receipts' streams are no subjects.
            if not self.ledger.is_subject(subject_id):
                raise UnknownSubject(reference)
            return subject_id
        if catch_up:
            self.catch_up()
        if reference.startswith("request:"):
            found = queries.request_subject(
                self.ledger.database, reference.removeprefix("request:")
            )
            if found is None:
                raise InvalidCommand("request_id", f"no request {reference[8:]}")
            return UUID(found)
        return self._one_match(reference)

    def _one_match(self, reference: str) -> UUID:
        """A subject by email (blind index) or by a unique prefix of its id."""
        database = self.ledger.database
        if "@" in reference:
            matches = queries.subjects_by_lookup(
                database, self.ledger.lookup_hash("email", reference)
            )
            problem = "no subject with that email"
        else:
            if len(reference) < _MIN_PREFIX:
                raise UnknownSubject(
                    reference,
                    f"give an id, {_MIN_PREFIX}+ characters of one, or an email",
                )
            matches = queries.subjects_by_prefix(database, reference.lower())
            problem = "no such subject"
        if not matches:
            raise UnknownSubject(_mask(reference), problem)
        if len(matches) > 1:
            listed = ", ".join(matches[:5]) + (", …" if len(matches) > 5 else "")
            raise UnknownSubject(
                _mask(reference),
                f"{len(matches)} subjects match ({listed}); give the full id",
            )
        return UUID(matches[0])


def _mask(reference: str) -> str:
    """Never echo an email in clear (errors end up in logs)."""
    if "@" not in reference:
        return reference
    local, _, domain = reference.partition("@")
    return f"{local[:1]}…@{domain}"
