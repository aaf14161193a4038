"""Kirjuri as a library: the one door to the ledger for every entrypoint.

kirjuri = Kirjuri.open(Settings.from_environ())
outcome = kirjuri.execute(parse_command({...}))
report = kirjuri.access_report("aino.virtanen@esimerkki.fi")

Every use case is a method that returns a model and never prints. Every
read brings the read models up to date first, so a caller reads its writes
however it names the subject. The use cases live in commands.usecases.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from eventsourcing.persistence import OperationalError, PersistenceError

from commands.bootstrap import Settings, build_ledger, signing_key
from commands.bulk_gc import fewer_collections
from commands.follower import Following, following
from commands.handlers import Outcome, handle
from commands.models import EraseSubject, fingerprint
from commands.numbered import Numbered
from commands.usecases import (
    accounts,
    backup,
    exchange,
    identities,
    inquiry,
    integrity,
    lifecycle,
    reads,
    records,
    ropa_evidence,
    signing,
    window,
)
from commands.usecases import findings as noted
from commands.usecases import verify as verification
from commands.usecases.erasure_plan import erase_confirmed, erasure_plan
from commands.usecases.findings_query import FindingsFilter, findings_where
from commands.usecases.history_export import history_csv
from commands.usecases.identities import NotPermitted
from commands.usecases.person import person_view
from commands.usecases.policy import policy_items
from commands.usecases.search import find_subjects
from commands.usecases.today import today as today_view
from commands.usecases.verify_jobs import CheckpointRow, IntegrityOverview, VerifyJobs
from commands.usecases.views import (
    PolicyAdoption,
    ProjectionFault,
    ProjectionStatus,
    SubjectRow,
)
from ledger import clock
from ledger.checkpoints import Signer, Verifier
from ledger.errors import (
    CommandIdReused,
    ConcurrencyConflict,
    InvalidCommand,
    KirjuriError,
    UnknownSubject,
)
from ledger.notary import Notary, StoredCheckpoint, ledger_origin
from ledger.ropa_check import verify_record
from ledger.run import RecentStates, Run
from ledger.sessions import SessionStore
from ledger.standby import primary, read_method
from projections import queries
from projections.merkle import MerkleStore
from projections.reports.access import build_access_report, findings_warning
from projections.reports.export import build_export
from projections.reports.ropa import build_processing_record
from projections.runner import Projector
from projections.tokens import TokensModel
from projections.users import UsersModel

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from datetime import date, datetime, timedelta
    from pathlib import Path
    from typing import BinaryIO, TextIO

    from commands.usecases.accounts import IssuedAccount, Person, UserRow
    from commands.usecases.erasure_plan import ErasureDone, ErasurePlanView
    from commands.usecases.findings_query import RecipientFinding
    from commands.usecases.identities import Caller, IssuedToken, TokenRow
    from commands.usecases.inquiry import Inquiry
    from commands.usecases.person import PersonView
    from commands.usecases.today import TodayView
    from commands.usecases.verify_jobs import VerifyJob
    from commands.usecases.views import (
        BackupMade,
        CheckResult,
        ConsistencyProof,
        ErasurePreview,
        Evidence,
        FeedReport,
        FindingAcknowledged,
        FindingRow,
        HistoryRow,
        ImportSummary,
        PolicyItem,
        ProofCheck,
        RequestRow,
        RetentionRow,
        Rotation,
        SigningRotation,
        SubjectState,
        SweepRow,
    )
    from ledger.application import Ledger
    from ledger.inquiry import InquiryCheck
    from ledger.policy import Policy
    from ledger.ropa_check import RecordCheck
    from ledger.standby import Standby, StandbyStats
    from ledger.verification import Verification
    from projections.reports.export import PortabilityExport
    from projections.reports.model import AccessReport, Language
    from projections.reports.ropa import ProcessingRecord
    from projections.runner import Progress

__all__ = ["Kirjuri"]

log = structlog.get_logger("kirjuri")

_MIN_PREFIX = 8
# Commands that may collect a looked-up value (an email) and so must see
# every objection kept after an erasure.
_READS_SUPPRESSION = frozenset({"register", "collect", "rectify"})
# Commands that read a model a follower may not have brought up to date.
_READS_MORE = frozenset({"acknowledge-finding"})
# Erasure destroys keys once its event is saved: it runs on its own.
_UNBATCHED = frozenset({"erase"})
# Saves that clash with other writers are judged again this many times in
# all, after a random pause that grows (writers on the same subjects).
CONFLICT_ATTEMPTS = 8


@dataclass
class BatchReport:
    """What a bulk run did, by command number (a feed's line, a CSV's row)."""

    findings: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # (number, kind), compact: a long import holds one per command.
    done: Numbered = field(default_factory=Numbered)
    duplicates: Numbered = field(default_factory=Numbered)
    last: int = 0  # the highest number recorded
    stopped: bool = False  # ended early (a signal), after a saved batch
    followed: int = 0  # events a follower process applied to the read models
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

    def merge(self, other: _Attempt) -> None:
        self.done.extend(other.done)
        self.duplicates.extend(other.duplicates)
        self.rejected.extend(other.rejected)

    def add_to(self, report: BatchReport) -> None:
        report.done.extend((number, kind) for number, kind, _ in self.done)
        report.findings += sum(found for _, _, found in self.done)
        report.duplicates.extend(self.duplicates)
        report.rejected.extend(self.rejected)
        if self.done:
            report.last = max(report.last, *(number for number, _, _ in self.done))


def _transient(err: OperationalError) -> bool:
    """A write that waited too long for another writer's lock (SQLite), or
    lost a deadlock (PostgreSQL): nothing of it was stored; try again."""
    text = str(err)
    return "database is locked" in text or "deadlock detected" in text


def _pause(attempt: int) -> None:
    """A random pause before trying again, so that clashing writers part."""
    time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))


def _conflicted(items: list[tuple[int, Any]]) -> _Attempt:
    """Commands that clashed with other writers on every attempt."""
    reason = (
        f"not saved: other writers appended to its subject first"
        f" {CONFLICT_ATTEMPTS} times; run the same file again to go on"
    )
    return _Attempt(rejected=[(number, reason) for number, _ in items])


def _same_command(recorded: tuple[str, str | None], command: Any) -> None:
    """A key sent again must carry the same command, or it is refused."""
    kind, printed = recorded
    if printed is not None and printed != fingerprint(command):
        raise CommandIdReused(kind)


def _recorded_as(receipt: Any) -> tuple[str, str | None]:
    """A command receipt's kind and fingerprint."""
    return str(receipt.command), receipt.fingerprint


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
        # A follower process opens the ledger from the settings: only if given.
        self._may_follow = settings is not None and settings.follower
        self._follower: Following | None = None
        # `kirjuri serve`'s follower (KIRJURI_FOLLOWER=yes): writes leave
        # the read models to it; reads catch up first (before_read).
        self._serving: Following | None = None
        self._identities: Projector | None = None  # made when a follower runs
        self._recent = RecentStates(ledger)  # single commands' subjects
        self.merkle = MerkleStore(ledger.database)
        self.origin = ledger_origin(ledger.database)
        self._signer: Signer | None = None
        self._sessions: SessionStore | None = None
        self.notary = Notary(ledger.database, self.merkle, self.signer)
        self._jobs: VerifyJobs | None = None

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> Kirjuri:
        ledger = build_ledger(settings, create=create)
        kirjuri = cls(ledger, Projector(ledger), settings)
        if create:
            kirjuri.signer(create=True)
        return kirjuri

    @property
    def standby(self) -> Standby | None:
        """The hot standby reads go to (``KIRJURI_READ_DATABASE_URL``)."""
        return self.ledger.standby

    def standby_stats(self) -> StandbyStats | None:
        """Reads served by the standby, fallbacks by reason, time waited."""
        return None if self.ledger.standby is None else self.ledger.standby.stats

    def signer(self, *, create: bool = False) -> Signer:
        """The checkpoint signer, its key loaded (or made, at init) on first use."""
        if self._signer is None:
            signing.settle_signing_rotation(self)
            # A ledger with checkpoints has a key: init never replaces it.
            create = create and self.notary.latest() is None
            key = signing_key(self.settings, create=create)
            signer = Signer(self.origin, key)
            # Checks earlier keys' checkpoints too, each in its span.
            signer.verifier = signing.key_ring(self, signer.verifier)
            self._signer = signer
        return self._signer

    def checkpoint(self) -> StoredCheckpoint:
        """Bring the Merkle log up to date (whole) and sign it."""
        with primary():  # signs what the primary holds, newest first
            self.catch_up()
            verification.mend_merkle(self)
            return self.notary.issue()

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Kirjuri:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, command: Any, *, catch_up: bool | None = None) -> Outcome:
        """Record one command; the read models follow it here unless told
        not to, or unless a follower process applies them (writes_followed).

        A command whose `command_id` was already recorded writes nothing and
        comes back as a duplicate, with the original subject and request."""
        if catch_up is None:
            catch_up = self._serving is None
        if command.kind in _READS_SUPPRESSION:
            # The suppression list must include every erasure (and the blind
            # index every email); with a follower, those two models suffice.
            consulted = None if self._serving is None else self._serving.consulted
            (self.catch_up if consulted is None else consulted.catch_up)()
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            if attempt > 1:
                _pause(attempt)
            if command.command_id:
                key = "command:" + command.command_id
                receipt = self.ledger.receipts([key]).get(key)
                if receipt is not None:
                    _same_command(_recorded_as(receipt), command)
                    return records.original(self.ledger, receipt)
            run = Run(
                self.ledger, self._lookup_saved, self._with_email, recent=self._recent
            )
            try:
                outcome = self._record(run, command)
            except BaseException:
                run.discard()  # a refused command: no key of it is kept
                raise
            try:
                run.save()
            except ConcurrencyConflict:
                if attempt == CONFLICT_ATTEMPTS:
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
        duplicate and writes nothing. A batch whose save clashes with
        another writer is judged again (bounded, with a random pause; a
        racing writer's commands are then duplicates), then one command at a
        time: only a command that still cannot be recorded is reported.
        `stop` is asked between batches (a signal arrived): the run ends
        after the batch it just saved."""
        report = BatchReport()
        run = Run(self.ledger, self._lookup_in_run, self._with_email, bulk=True)
        try:
            with (
                fewer_collections(),
                following(
                    self.ledger, self.settings, wanted=self._may_follow
                ) as follower,
            ):
                self._follower = follower
                self._run_all(run, commands, report, batch_size, progress, stop)
                report.followed = follower.stop()
                self.catch_up()
        except (PersistenceError, OSError) as err:
            # The database or the input failed mid-run: what was saved stays,
            # and the caller still says so (and checkpoints it).
            report.failure = err
        finally:
            self._follower = None
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
        attempted = self._save_batch(run, batched)
        if attempted is None and len(batched) == 1:
            attempted = _conflicted(batched)
        elif attempted is None:
            # Still clashing: one command at a time, so that only a command
            # that cannot be recorded is reported, by its line.
            attempted = _Attempt()
            for item in batched:
                attempted.merge(self._save_batch(run, [item]) or _conflicted([item]))
        attempted.add_to(report)
        if attempted.done:
            log.info(
                "batch recorded",
                commands=len(attempted.done),
                duplicates=len(attempted.duplicates),
                last=attempted.done[-1][0],
            )
        for number, command in single:  # erasure destroys keys: never batched
            erased = None
            try:
                outcome = self.execute(command)
            except KirjuriError as err:
                report.rejected.append((number, str(err)))
            else:
                erased = outcome.subject_id
                kept = report.duplicates if outcome.duplicate else report.done
                kept.append((number, command.kind))
                report.findings += len(outcome.findings)
                report.last = max(report.last, number)
            finally:
                run.forget(erased)  # an erased email must not resolve from memory

    def _save_batch(self, run: Run, batched: list[tuple[int, Any]]) -> _Attempt | None:
        """Judge and save a batch; on a conflict (another writer appended to
        one of its subjects) reload and judge again, a bounded number of
        times with a random pause. None: every attempt clashed."""
        for attempt in range(CONFLICT_ATTEMPTS):
            if attempt:
                _pause(attempt)
            self._catch_up_consulted(batched)
            run.begin(queries.suppression_list(self.ledger.database))
            attempted = self._attempt(run, batched)
            try:
                run.save()
            except ConcurrencyConflict:
                continue  # the save discarded the run's states: load them again
            except OperationalError as err:
                if not _transient(err):
                    raise
                log.warning("database busy; batch judged again", error=str(err)[:80])
                continue
            if self._follower is not None:
                self._follower.saved_batch()
            return attempted
        return None

    def _catch_up_consulted(self, batched: list[tuple[int, Any]]) -> None:
        """The read models a batch consults, up to date: erasures before it
        in the suppression list, registered emails in the blind index; every
        model when a follower does not apply them, or a command needs more."""
        consulted = None if self._follower is None else self._follower.consulted
        if consulted is None or any(c.kind in _READS_MORE for _, c in batched):
            self.catch_up()
        else:
            consulted.catch_up()

    def _attempt(self, run: Run, batched: list[tuple[int, Any]]) -> _Attempt:
        """Run a batch's commands into the run (not saved yet)."""
        attempt = _Attempt()
        keys = ["command:" + c.command_id for _, c in batched if c.command_id]
        recorded = self.ledger.receipts(keys)  # one query for the whole batch
        for number, command in batched:
            if command.command_id:
                receipt = recorded.get("command:" + command.command_id)
                # or a command earlier in this batch
                earlier = (
                    _recorded_as(receipt)
                    if receipt is not None
                    else run.fingerprints.get(command.command_id, ("", None))
                )
                if receipt is not None or command.command_id in run.receipts:
                    try:
                        _same_command(earlier, command)
                    except CommandIdReused as err:
                        attempt.rejected.append((number, str(err)))
                        continue
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
            printed = fingerprint(command)
            receipt = run.receipt(
                command, outcome.subject_id, outcome.request_id, printed
            )
            # Which events were the command's: a retry is answered with them.
            versions = tuple(e.originator_version for e in outcome.events)
            run.append([receipt.model_copy(update={"versions": versions})])
            run.receipts[command.command_id] = outcome
            run.fingerprints[command.command_id] = (command.kind, printed)
        if command.kind == "register" and command.email:
            run.name(command.email, outcome.subject_id)
        if outcome.request_id:
            run.name("request:" + outcome.request_id, outcome.subject_id)
        run.name(str(outcome.subject_id), outcome.subject_id)
        return outcome

    def catch_up(self, progress: Progress | None = None) -> int:
        return self.projector.catch_up(progress)

    @contextmanager
    def writes_followed(self) -> Iterator[bool]:
        """For a server's life: with KIRJURI_FOLLOWER=yes (and a second
        core), a follower process applies the read models, and one command
        returns once saved. Yields whether a follower runs."""
        with following(self.ledger, self.settings, wanted=self._may_follow) as serving:
            self._serving = serving if serving.start() else None
            try:
                yield self._serving is not None
            finally:
                self._serving = None

    def before_read(self) -> None:
        """Before a read (``read_method``): with a follower, the read models
        brought up to date here, so a caller reads its own writes however
        far behind the follower is."""
        if self._serving is not None:
            self.catch_up()

    @read_method
    def subjects(self, search: str) -> list[SubjectRow]:
        """Subjects by email (exact, any case), name prefix or company
        (see commands.usecases.search for how sealed names are searched)."""
        self.catch_up()
        emails = self._with_email(search.strip()) if "@" in search else None
        return [
            SubjectRow.model_validate(match.as_row())
            for match in find_subjects(self.ledger, search, emails)
        ]

    def resolve(self, reference: str) -> UUID:
        """A subject by id, unique id prefix, email, or ``request:ID``."""
        return self._lookup_saved(reference)

    def _lookup_in_run(self, reference: str) -> UUID:
        # A bulk run's batch caught the read models up when it opened; with a
        # follower, only the blind index (enough for an email).
        followed = self._follower is not None and self._follower.consulted is not None
        return self._lookup_saved(reference, catch_up=followed and "@" not in reference)

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
            if not self._recent.knows(subject_id) and not self.ledger.is_subject(
                subject_id
            ):
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

    # Reads: each brings the read models up to date first ----------------

    def _subject(self, reference: str) -> UUID:
        """A subject, named any way, with the read models caught up: a full
        id finds the events of a save whose catch-up never ran."""
        self.catch_up()
        return self.resolve(reference)

    def _optional(self, reference: str | None) -> UUID | None:
        self.catch_up()
        return None if reference is None else self.resolve(reference)

    @read_method
    def access_report(
        self,
        subject: str,
        *,
        lang: Language = "en",
        request: str | None = None,
        caller: Caller | None = None,
        purpose: str | None = None,
    ) -> AccessReport:
        """Art. 15, with the signed checkpoint it was made at; a caller's
        look at it is put on the person's record (values masked for some)."""
        found = self._consulted(subject, "access_report", caller, purpose)
        report = build_access_report(self.ledger, found, lang, request)
        entry = integrity.integrity_entry(self, str(found))
        warning = findings_warning(self.ledger, found)
        report = report.model_copy(
            update={"integrity": entry, "review_warning": warning}
        )
        report = window.report(caller, report)
        if caller is not None and caller.masked:
            return identities.mask_report(report)
        return report

    @read_method
    def export(
        self,
        subject: str,
        *,
        caller: Caller | None = None,
        purpose: str | None = None,
    ) -> PortabilityExport:
        """Art. 20: what the person provided, on consent or contract."""
        return build_export(
            self.ledger, self._consulted(subject, "export", caller, purpose)
        )

    def _consulted(
        self, subject: str, view: str, caller: Caller | None, purpose: str | None
    ) -> UUID:
        """The subject; a caller's look at its values recorded first."""
        found = self._subject(subject)
        if caller is not None:
            identities.check_reach(caller, found)
            with primary():  # the record's next version is the primary's
                identities.consulted(self.ledger, found, view, caller, purpose)
            self.catch_up()
        return found

    @read_method
    def history(
        self,
        *,
        subject: str | None = None,
        recipient: str | None = None,
        purpose: str | None = None,
        category: str | None = None,
        event_type: str | None = None,
        country: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[HistoryRow]:
        found = self._optional(subject)
        wanted = queries.HistoryFilter(
            subject=None if found is None else str(found),
            recipient=recipient,
            purpose=purpose,
            category=category,
            event_type=event_type,
            country=country,
            since=since,
            until=until,
            limit=limit,
            after=after,
        )
        checked = queries.validate_filter(wanted, self.ledger.adopted_policies())
        return reads.history(self.ledger, checked)

    @read_method
    def processing_record(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        language: Language = "en",
    ) -> ProcessingRecord:
        """The Art. 30(1) record: the policy's activities beside what the
        ledger observed in the period, and where the two differ."""
        if since is not None and until is not None and since >= until:
            raise InvalidCommand("until", "must be later than since")
        self.catch_up()
        return build_processing_record(
            self.ledger.database,
            self.ledger.policy,
            self.ledger.head(),
            since=since,
            until=until,
            language=language,
        )

    @read_method
    def findings(
        self,
        subject: str | None = None,
        *,
        unacknowledged: bool = False,
        caller: Caller | None = None,
    ) -> list[FindingRow]:
        """Findings, each with who acknowledged it, when, with what note (a
        regulator's: those of its subjects and window)."""
        found = self._optional(subject)
        rows = noted.findings(self.ledger, found, unacknowledged=unacknowledged)
        if caller is not None and caller.subjects:
            rows = [r for r in rows if r.subject_id in caller.subjects]
        return window.findings(caller, rows)

    @read_method
    def finding(self, finding_id: int, *, caller: Caller | None = None) -> FindingRow:
        """One finding by its id (raises UnknownFinding)."""
        self.catch_up()
        row = noted.finding(self.ledger, finding_id)
        window.check_event(caller, UUID(row.subject_id), row.occurred_at)
        return window.findings(caller, [row])[0]

    def acknowledge_finding(
        self,
        finding_id: int,
        note: str,
        *,
        by: str = "cli",
        command_id: str | None = None,
        at: datetime | None = None,
    ) -> FindingAcknowledged:
        """Take note of a finding (a new event; the finding never changes).
        A repeated ``command_id`` writes nothing and says ``duplicate``."""
        return noted.acknowledge(
            self, finding_id, note, by=by, command_id=command_id, at=at
        )

    @read_method
    def requests(
        self,
        subject: str | None = None,
        *,
        open_only: bool = False,
        today: date | None = None,
        caller: Caller | None = None,
    ) -> list[RequestRow]:
        """The register (a regulator's: requests of its subjects received in
        its window, as they stood at the window's end)."""
        found = self._optional(subject)
        day = window.today(caller, today or clock.today())
        rows = reads.requests(self.ledger, found, open_only=False, today=day)
        if caller is not None and caller.subjects:
            rows = [r for r in rows if r.subject_id in caller.subjects]
        rows = window.requests(caller, rows)
        return [r for r in rows if r.status == "open"] if open_only else rows

    @read_method
    def state(
        self,
        subject: str,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        caller: Caller | None = None,
        purpose: str | None = None,
    ) -> SubjectState:
        as_of, known_at = window.state_moments(caller, as_of, known_at)
        found = self._consulted(subject, "state", caller, purpose)
        state = reads.state(self.ledger, found, as_of, known_at)
        if caller is not None and caller.masked:
            return identities.mask_state(state)
        return state

    @read_method
    def check(
        self,
        subject: str,
        purpose: str,
        *,
        categories: Sequence[str] = (),
        recipient: str | None = None,
        legal_basis: str | None = None,
        country: str | None = None,
        at: datetime | None = None,
    ) -> CheckResult:
        """Would this processing be allowed? Nothing is recorded."""
        found = self._subject(subject)
        return reads.check(
            self.ledger,
            found,
            reads.Asked(purpose, tuple(categories), recipient, legal_basis, country),
            at,
        )

    # Lifecycle -------------------------------------------------------------

    @read_method
    def preview_erasure(
        self, subject: str, *, remove_objection: bool = False
    ) -> ErasurePreview:
        return lifecycle.preview_erasure(self, self._subject(subject), remove_objection)

    def erase(
        self,
        subject: str,
        *,
        request_id: str | None = None,
        remove_objection: bool = False,
    ) -> Outcome:
        """Art. 17: destroy the subject's keys the law does not keep."""
        return self.execute(
            EraseSubject(
                subject=subject,
                request_id=request_id,
                remove_objection=remove_objection,
            )
        )

    @read_method
    def retention_report(
        self,
        as_of: datetime | None = None,
        *,
        progress: Progress | None = None,
        caller: Caller | None = None,
    ) -> list[RetentionRow]:
        """A regulator sees its subjects only, as they stood at its window's
        end, judged as of then."""
        states_as_of, _ = window.state_moments(caller, None, None)
        return lifecycle.retention_report(
            self,
            as_of or states_as_of or clock.now(),
            progress,
            only=caller.subjects if caller is not None else (),
            states_as_of=states_as_of,
        )

    def sweep(
        self,
        as_of: datetime | None = None,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> list[SweepRow]:
        return lifecycle.sweep(
            self, as_of or clock.now(), dry_run=dry_run, progress=progress
        )

    def backup(self, dest: Path) -> BackupMade:
        """A consistent copy of a live SQLite ledger in ``dest`` (a new file)."""
        return backup.backup(self, dest)

    def scrub_pending(self) -> bool:
        """Whether freed copies of destroyed keys still wait to be overwritten
        (a reader held the log during an erasure; a sweep retries)."""
        return self.ledger.keys.is_scrub_pending()

    def rotate_master_key(self, new_key_file: Path | None = None) -> Rotation:
        return lifecycle.rotate_master_key(self, new_key_file)

    # Integrity -------------------------------------------------------------

    @read_method
    def checkpoints(self) -> list[StoredCheckpoint]:
        return self.notary.all()

    def public_key(self) -> str:
        """The checkpoints' verifier key, for auditors."""
        return str(self.signer().verifier)

    def public_keys(self) -> list[tuple[int, str]]:
        """Every signing key the current one trusts, by first tree size."""
        ring = signing.key_ring(self, self.signer().verifier)
        return [(start, str(key)) for start, _, key in ring.spans]

    def rotate_signing_key(self, new_key_file: Path | None = None) -> SigningRotation:
        """A new signing key, announced in a checkpoint the old key signs."""
        rotation, self._signer = signing.rotate_signing_key(self, new_key_file)
        return rotation

    @read_method
    def verify(
        self,
        *,
        start: int | None = None,
        end: int | None = None,
        incremental: bool = False,
        checkpoints: Sequence[str] = (),
        witness: Path | None = None,
        use_witness: bool = True,
        read_models: bool = False,
        progress: Progress | None = None,
    ) -> Verification:
        """The stored events against the signed checkpoints (stored, given as
        notes kept outside, witnessed), and the read models if asked."""
        request = verification.VerifyRequest(
            start, end, incremental, checkpoints, witness, use_witness, read_models
        )
        return verification.verify(self, request, progress)

    def witness(
        self, folder: Path, public_key: str | None = None
    ) -> verification.WitnessRun:
        """An auditor's witness in ``folder``: the newest checkpoint must
        extend the one it saw before; it is then kept."""
        # The key given is trusted with the earlier keys its hand-overs name.
        verifier = (
            None
            if public_key is None
            else signing.key_ring(self, Verifier.parse(public_key))
        )
        return verification.witness(self, folder, verifier)

    @read_method
    def prove(
        self,
        *,
        subject: str | None = None,
        sequence: int | None = None,
        hashes_only: bool = False,
        caller: Caller | None = None,
    ) -> Evidence:
        """Evidence for a third party: a subject's events, or one event (a
        regulator's: of its subjects and window only)."""
        if subject is not None:
            found = self._subject(subject)
            window.check_event(caller, found, None)
            sequences = [
                row["notification_id"] for row in self.merkle.leaves_of(str(found))
            ]
            if window.limited(caller):
                assert caller is not None
                seen = self.history(
                    subject=str(found), since=caller.since, until=caller.until
                )
                inside = {row.notification_id for row in seen}
                sequences = [s for s in sequences if s in inside]
        elif sequence is not None:
            integrity.check_sequence(sequence, "sequence")
            self.catch_up()
            if caller is not None and (window.limited(caller) or caller.subjects):
                self._check_event_reach(caller, sequence)
            sequences = [sequence]
        else:
            raise InvalidCommand("sequence", "give a sequence or a subject")
        return integrity.prove(self, sequences, hashes_only=hashes_only)

    def _check_event_reach(self, caller: Caller, sequence: int) -> None:
        """A limited caller asks for a subject's event of its reach only."""
        rows = self.history(after=sequence - 1, limit=1)
        if not rows or rows[0].notification_id != sequence:
            raise NotPermitted("sequence: not an event this token may see")
        window.check_event(caller, UUID(rows[0].subject_id), rows[0].occurred_at)

    @read_method
    def consistency(self, from_size: int, to_size: int) -> ConsistencyProof:
        """Proof that the checkpoint of ``to_size`` extends the one of
        ``from_size`` (both must be signed checkpoints)."""
        return integrity.consistency(self, from_size, to_size)

    @read_method
    def inquiry(
        self,
        *,
        subject: str | None = None,
        recipient: str | None = None,
        purpose: str | None = None,
        category: str | None = None,
        event_type: str | None = None,
        country: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> inquiry.Inquiry:
        """An inquiry bundle: the events of a history filter, each proven
        against one signed checkpoint; a subject's, shown complete."""
        found = self._optional(subject)
        wanted = queries.HistoryFilter(
            subject=None if found is None else str(found),
            recipient=recipient,
            purpose=purpose,
            category=category,
            event_type=event_type,
            country=country,
            since=since,
            until=until,
        )
        checked = queries.validate_filter(wanted, self.ledger.adopted_policies())
        return inquiry.build_inquiry(self, checked)

    @read_method
    def inquiry_for(
        self,
        caller: Caller,
        *,
        access_purpose: str | None = None,
        open_values: bool = False,
        **filters: Any,
    ) -> Inquiry:
        """An inquiry bundle for a token or a signed-in person: within its
        subjects and window; values opened only for a role that sees them,
        the purpose put on each person's record first."""
        return inquiry.for_caller(self, caller, access_purpose, open_values, filters)

    @staticmethod
    def verify_inquiry(bundle: Any, public_key: str) -> InquiryCheck:
        """An inquiry bundle (parsed JSON) checked offline: no ledger needed."""
        return inquiry.verify_bundle(bundle, public_key)

    @read_method
    def signed_processing_record(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        language: Language = "en",
    ) -> dict[str, Any]:
        """The Art. 30(1) record as a document anyone checks offline: the
        checkpoint it rests on, the period's uses proven, signed."""
        if since is not None and until is not None and since >= until:
            raise InvalidCommand("until", "must be later than since")
        return ropa_evidence.signed_record(self, since, until, language)

    @staticmethod
    def verify_processing_record(document: Any, public_key: str) -> RecordCheck:
        """A signed Art. 30 record (parsed JSON) checked: no ledger needed."""
        return verify_record(document, Verifier.parse(public_key))

    # Exchange formats (docs/exchange.md) ---------------------------------

    @read_method
    def consent_records(
        self, subject: str, *, caller: Caller | None = None
    ) -> dict[str, Any]:
        """A subject's consents as ISO/IEC TS 27560 records (DPV JSON-LD)."""
        return exchange.subject_consents(self, self._subject(subject), caller)

    def all_consent_records(self, *, caller: Caller | None = None) -> Iterator[str]:
        """Every subject's consent records as one JSON-LD document, streamed
        a page of subjects at a time."""
        self.catch_up()
        return exchange.all_consents(self, caller)

    @read_method
    def policy_dpv(self) -> dict[str, Any]:
        """The policy in force as a DPV JSON-LD document."""
        return exchange.policy_dpv(self)

    @staticmethod
    def verify_proof(evidence: Any, public_key: str) -> ProofCheck:
        """An evidence file (parsed JSON) checked offline: no ledger needed."""
        return integrity.verify_proof(evidence, public_key)

    def projection_status(self) -> ProjectionStatus:
        return ProjectionStatus(
            head=self.ledger.head(),
            positions=self.projector.positions(),
            faults=tuple(
                ProjectionFault.model_validate(f) for f in self.projector.faults()
            ),
        )

    def rebuild(self, progress: Progress | None = None) -> int:
        """Every read model again from the log; returns the events applied."""
        return self.projector.rebuild(progress)

    def sequences(self, outcome: Outcome) -> list[int]:
        """Where a recorded command's events stand in the log (for an
        answer that they are stored): from the log itself, so that a write
        answers without waiting for the read models (on the primary, which
        holds the write)."""
        versions = [e.originator_version for e in outcome.events]
        return self.ledger.sequences_of(outcome.subject_id, versions)

    # The web pages' views -------------------------------------------------

    @read_method
    def erasure_plan(
        self, subject: str, *, lang: Language = "en", remove_objection: bool = False
    ) -> ErasurePlanView:
        """The erasure dry run in plain words: what goes, what the law keeps
        and until when, who must be told (Art. 19). Writes nothing."""
        return erasure_plan(self, self._subject(subject), lang, remove_objection)

    def erase_confirmed(
        self,
        subject: str,
        typed: str,
        *,
        lang: Language = "en",
        request_id: str | None = None,
        remove_objection: bool = False,
        by: str = "web",
    ) -> ErasureDone:
        """Art. 17 once the person's full id was typed to confirm it: the
        plan as it stood, and where the erasure stands in the log."""
        return erase_confirmed(
            self,
            self._subject(subject),
            typed,
            lang=lang,
            request_id=request_id,
            remove_objection=remove_objection,
            by=by,
        )

    @read_method
    def request(self, request_id: str, *, caller: Caller | None = None) -> RequestRow:
        """One request of the register, with its deadline (a regulator's:
        of its subjects and window, as it stood at the window's end)."""
        for row in self.requests("request:" + request_id, caller=caller):
            if row.request_id == request_id:
                return row
        raise InvalidCommand("request_id", f"no request {request_id}")

    @read_method
    def answer_preview(
        self, request_id: str, *, caller: Caller | None = None
    ) -> tuple[RequestRow, bool]:
        """A request and whether its person's records hold findings: what a
        preview shows around the answer, without reading the person's values
        (the framed answer itself is the one look put on their record)."""
        row = self.request(request_id, caller=caller)
        return row, bool(self.findings(row.subject_id, caller=caller))

    @read_method
    def integrity_overview(self) -> IntegrityOverview:
        """Checkpoints, the key that signs them, how far the last clean
        verify reached and this process's latest verify run."""
        return IntegrityOverview(
            checkpoints=tuple(
                CheckpointRow(
                    size=s.checkpoint.size,
                    root=s.checkpoint.root.hex(),
                    timestamp=s.checkpoint.timestamp,
                )
                for s in self.checkpoints()
            ),
            public_key=self.public_key(),
            last_verified=self.notary.last_verified(),
            head=self.ledger.head(),
            latest_run=self.last_verify_job(),
        )

    @read_method
    def findings_where(
        self,
        *,
        rule: str | None = None,
        subject: str | None = None,
        recipient: str | None = None,
        since: date | None = None,
        until: date | None = None,
        caller: Caller | None = None,
    ) -> list[RecipientFinding]:
        """Findings by rule, person, recipient and day (both days included);
        a regulator's: of its subjects and window."""
        found = self._optional(subject)
        wanted = FindingsFilter(rule, found, recipient, since, until)
        return findings_where(self.ledger, wanted, caller)

    def history_csv(self, **filters: Any) -> Iterator[str]:
        """The whole history a filter selects, as CSV chunks (``history``'s
        filters; a bad one is refused before the first chunk)."""
        return history_csv(
            lambda after, limit: self.history(**filters, limit=limit, after=after)
        )

    def start_verify(self, *, read_models: bool = False) -> VerifyJob:
        """Verify in the background (its own facade on the same settings);
        ask ``verify_job`` how far it got. One run at a time."""
        return self._verify_jobs().start(read_models=read_models)

    def verify_job(self, job_id: str) -> VerifyJob:
        return self._verify_jobs().get(job_id)

    def last_verify_job(self) -> VerifyJob | None:
        """The newest verify this process ran, if any."""
        return self._verify_jobs().latest()

    def _verify_jobs(self) -> VerifyJobs:
        if self._jobs is None:
            settings = self.settings
            self._jobs = VerifyJobs(lambda: Kirjuri.open(settings))
        return self._jobs

    # API identities -----------------------------------------------------

    def create_token(
        self,
        name: str,
        role: str,
        *,
        expires: timedelta | None = None,
        subjects: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> IssuedToken:
        """A bearer token for the HTTP API: shown once, its hash kept."""
        found = [self._subject(s) for s in subjects]
        issued = identities.create_token(
            self.ledger,
            name,
            role,
            expires=expires,
            subjects=found,
            since=since,
            until=until,
        )
        self.catch_up()
        return issued

    def list_tokens(self) -> list[TokenRow]:
        self.catch_up()
        return identities.tokens(self.ledger)

    def revoke_token(self, token_id: str) -> TokenRow:
        self.catch_up()
        row = identities.revoke_token(self.ledger, token_id)
        self.catch_up()
        return row

    def authenticate(self, token: str) -> Caller:
        """The live token's caller (raises NotAuthenticated otherwise)."""
        # A revocation counts at once; with a follower, only the token and
        # user models need be current, not every model before each write.
        if self._serving is None:
            self.catch_up()
        else:
            if self._identities is None:
                self._identities = Projector(self.ledger, [TokensModel(), UsersModel()])
            self._identities.catch_up()
        return identities.authenticate(self.ledger, token)

    @read_method
    def person(
        self,
        subject: str,
        *,
        caller: Caller | None = None,
        purpose: str | None = None,
        as_of: datetime | None = None,
        event_type: str | None = None,
        lang: Language = "en",
    ) -> PersonView:
        """A person's whole record for the web page; the look is recorded."""
        found = self._consulted(subject, "person_page", caller, purpose)
        return person_view(
            self.ledger, found, caller, as_of=as_of, event_type=event_type, lang=lang
        )

    @read_method
    def today(self) -> TodayView:
        """Open requests by due date, extension notices due, new findings,
        the last checkpoint and verification (the web's Today page)."""
        self.catch_up()
        return today_view(self.ledger, self.notary)

    # People's web accounts and sessions (commands.usecases.accounts) ----

    @property
    def sessions(self) -> SessionStore:
        if self._sessions is None:
            self._sessions = SessionStore(self.ledger.database)
        return self._sessions

    def add_user(
        self,
        name: str,
        role: str,
        *,
        expires: timedelta | None = None,
        subjects: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> IssuedAccount:
        """An account for the web pages; its initial password is shown once."""
        found = [self._subject(s) for s in subjects]
        issued = accounts.add_user(
            self.ledger,
            name,
            role,
            expires=expires,
            subjects=found,
            since=since,
            until=until,
        )
        self.catch_up()
        return issued

    def list_users(self) -> list[UserRow]:
        self.catch_up()
        return accounts.users(self.ledger)

    def disable_user(self, name: str) -> UserRow:
        self.catch_up()
        row = accounts.disable_user(self.ledger, self.sessions, name)
        self.catch_up()
        return row

    def sign_in(self, name: str, password: str) -> tuple[str, Person]:
        """A new session id and its person (raises NotAuthenticated, or
        Locked); the sign-in or its refusal is recorded either way."""
        self.catch_up()
        try:
            return accounts.sign_in(self.ledger, self.sessions, name, password)
        finally:
            self.catch_up()

    def signed_in(self, session_id: str) -> Person:
        """The person of a live session (raises NotAuthenticated)."""
        self.catch_up()  # a disabled account counts at once
        return accounts.person_of(self.ledger, self.sessions, session_id)

    def sign_out(self, session_id: str) -> None:
        self.sessions.end(session_id)

    def set_purpose(self, session_id: str, purpose: str | None) -> None:
        """Why an auditor or regulator looks, kept for the session."""
        self.sessions.set_purpose(session_id, purpose)

    def change_password(self, user_id: str, current: str, new: str) -> None:
        """A new password; every session of the person ends."""
        self.catch_up()
        accounts.change_password(self.ledger, self.sessions, user_id, current, new)
        self.catch_up()

    # Policy and bulk intake ----------------------------------------------

    def policy(self) -> Policy:
        """The policy in force (raises when none was ever adopted)."""
        return self.ledger.policy

    def policy_items(self, kind: str) -> list[PolicyItem]:
        """What a flag accepts: purposes, recipients, categories, …"""
        return policy_items(self.ledger.policy, kind)

    def adopt_policy(self, text: str, origin: str) -> PolicyAdoption:
        adopted = self.ledger.adopt_policy(text, origin)
        self.catch_up()
        return PolicyAdoption(adopted=adopted, origin=origin)

    def apply(
        self,
        lines: Iterable[bytes | str],
        *,
        batch_size: int = 500,
        progress: Progress | None = None,
        stop: Callable[[], bool] | None = None,
        per_line: bool = False,
    ) -> FeedReport:
        """Commands from JSON lines (bytes, decoded line by line); a line
        without a command id gets one from its text, so a re-run records
        nothing twice. A checkpoint is signed after them. `stop` is asked
        between batches (a signal arrived). ``per_line``: each line's
        outcome too (sequence numbers, findings; a duplicate's original)."""
        return records.apply_feed(self, lines, batch_size, progress, stop, per_line)

    def import_contacts(
        self,
        source: Path | BinaryIO | TextIO,
        *,
        origin: str | None,
        purposes: Sequence[str] = ("customer_relationship",),
        reported_by: str = "crm_import",
        progress: Progress | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> ImportSummary:
        """A CRM export (CSV), ``origin`` the policy source of its values
        (or a source column); each row is recorded once, however often the
        file is imported."""
        return records.import_csv(
            self, source, origin, tuple(purposes), reported_by, progress, stop
        )


def _mask(reference: str) -> str:
    """Never echo an email in clear (errors end up in logs)."""
    if "@" not in reference:
        return reference
    local, _, domain = reference.partition("@")
    return f"{local[:1]}…@{domain}"
