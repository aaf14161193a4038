"""Kirjuri as a library: the one door to the ledger for every entrypoint.

kirjuri = Kirjuri.open(Settings.from_environ())
outcome = kirjuri.execute(parse_command({...}))
report = kirjuri.access_report("aino.virtanen@esimerkki.fi")

Every use case is a method that returns a model and never prints. Every
read brings the read models up to date first, so a caller reads its writes
however it names the subject. The use cases live in commands.usecases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from commands.bootstrap import Settings, build_ledger, signing_key
from commands.handlers import Outcome, handle
from commands.models import EraseSubject
from commands.usecases import (
    backup,
    identities,
    integrity,
    lifecycle,
    reads,
    records,
    signing,
)
from commands.usecases import verify as verification
from commands.usecases.policy import policy_items
from commands.usecases.views import (
    PolicyAdoption,
    ProjectionFault,
    ProjectionStatus,
)
from ledger import clock
from ledger.checkpoints import Signer, Verifier
from ledger.errors import InvalidCommand, KirjuriError, UnknownSubject
from ledger.events import POLICY_STREAM
from ledger.keys import LEDGER_SUBJECT
from ledger.notary import Notary, StoredCheckpoint, ledger_origin
from projections import queries
from projections.merkle import MerkleStore
from projections.reports.access import build_access_report, findings_warning
from projections.reports.export import build_export
from projections.runner import Projector

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date, datetime, timedelta
    from pathlib import Path
    from typing import TextIO

    from commands.usecases.identities import Caller, IssuedToken, TokenRow
    from commands.usecases.views import (
        BackupMade,
        CheckResult,
        ErasurePreview,
        Evidence,
        FeedReport,
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
    from ledger.policy import Policy
    from ledger.verification import Verification
    from projections.reports.export import PortabilityExport
    from projections.reports.model import AccessReport, Language
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
EMAILS_REMEMBERED = 50_000


@dataclass
class BatchReport:
    findings: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    done: list[tuple[int, str]] = field(default_factory=list)  # (number, kind)

    @property
    def recorded(self) -> int:
        return len(self.done)


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
        # Subjects and requests made in the open batch, by email hash, id
        # and "request:ID" (the read models do not have them yet).
        self._batch_subjects: dict[str, UUID] = {}
        self._in_run = False

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
        self.catch_up()
        verification.mend_merkle(self)
        return self.notary.issue()

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Kirjuri:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, command: Any, *, catch_up: bool = True) -> Outcome:
        """Record one command; read models follow unless told not to."""
        if command.kind in _READS_SUPPRESSION and not self.ledger.batching:
            self.catch_up()  # the suppression list must include every erasure
        outcome = handle(self.ledger, command, self.resolve)
        if self.ledger.batching:
            self._remember_in_batch(command, outcome)
        log.info(
            "recorded",
            command=command.kind,
            subject=str(outcome.subject_id),
            events=len(outcome.events),
            findings=[f.rule for f in outcome.findings],
        )
        if catch_up:
            self.catch_up()
        return outcome

    def execute_many(
        self,
        commands: Iterable[tuple[int, Any]],
        *,
        batch_size: int = 500,
        progress: Progress | None = None,
    ) -> BatchReport:
        """Record numbered commands in batches of one save each; commands of
        the same number (the rows of one CSV line) are never split.

        A command refused as malformed is reported and skipped (it wrote
        nothing); the others of its batch are recorded. If a batch's save
        fails, none of its commands is recorded, and all are reported."""
        report = BatchReport()
        pending: list[tuple[int, Any]] = []
        self._in_run = True
        try:
            with self.ledger.run():
                for item in commands:
                    # Commands of one number (one CSV row) stay in one batch.
                    if len(pending) >= batch_size and item[0] != pending[-1][0]:
                        self._run_batch(pending, report)
                        pending = []
                        if progress is not None:
                            progress.advance(report.recorded + len(report.rejected))
                    pending.append(item)
                    if item[1].kind in _UNBATCHED:
                        self._run_batch(pending, report)
                        pending = []
                if pending:
                    self._run_batch(pending, report)
        finally:
            self._in_run = False
            self._batch_subjects.clear()
        self.catch_up()
        return report

    def _run_batch(self, items: list[tuple[int, Any]], report: BatchReport) -> None:
        single = [item for item in items if item[1].kind in _UNBATCHED]
        batched = [item for item in items if item[1].kind not in _UNBATCHED]
        self.catch_up()  # erasures before this batch are in the suppression list
        if len(self._batch_subjects) > EMAILS_REMEMBERED:
            self._batch_subjects.clear()  # saved subjects: found again by email
        done: list[tuple[int, Outcome]] = []
        try:
            with self.ledger.batch():
                self.ledger.suppression = queries.suppression_list(self.ledger.database)
                for number, command in batched:
                    try:
                        done.append((number, self.execute(command, catch_up=False)))
                    except KirjuriError as err:  # it appended nothing
                        report.rejected.append((number, str(err)))
        except KirjuriError as err:
            report.rejected.extend(
                (number, f"batch not saved: {err}") for number, _ in done
            )
            done = []
            self._batch_subjects.clear()  # none of the batch's subjects exists

        kinds = dict(batched)
        report.done.extend((number, kinds[number].kind) for number, _ in done)
        report.findings += sum(len(o.findings) for _, o in done)
        for number, command in single:  # erasure destroys keys: never batched
            try:
                report.findings += len(self.execute(command).findings)
                report.done.append((number, command.kind))
            except KirjuriError as err:
                report.rejected.append((number, str(err)))
            finally:
                # An erased email must not resolve, nor the state from before
                # the erasure be reused by the next batch.
                self._batch_subjects.clear()
                self.ledger.forget_run_states()

    def _remember_in_batch(self, command: Any, outcome: Outcome) -> None:
        """Let later commands of the batch name what earlier ones made."""
        if command.kind == "register" and command.email:
            lookup = self.ledger.lookup_hash("email", command.email)
            self._batch_subjects[lookup] = outcome.subject_id
        if outcome.request_id:
            self._batch_subjects["request:" + outcome.request_id] = outcome.subject_id
        self._batch_subjects[str(outcome.subject_id)] = outcome.subject_id

    def catch_up(self, progress: Progress | None = None) -> int:
        return self.projector.catch_up(progress)

    def resolve(self, reference: str) -> UUID:
        """A subject by id, unique id prefix, email, or ``request:ID``."""
        reference = reference.strip()
        made = self._made_in_batch(reference)
        if made is not None:
            return made
        try:
            subject_id = UUID(reference)
        except ValueError:
            pass
        else:
            if subject_id in RESERVED_STREAMS or not self.ledger.exists(subject_id):
                raise UnknownSubject(reference)
            return subject_id
        if not self.ledger.batching:  # a batch caught up when it opened
            self.catch_up()
        if reference.startswith("request:"):
            found = queries.request_subject(
                self.ledger.database, reference.removeprefix("request:")
            )
            if found is None:
                raise InvalidCommand("request_id", f"no request {reference[8:]}")
            return UUID(found)
        match = self._one_match(reference)
        self._remember_email(reference, match)
        return match

    def _made_in_batch(self, reference: str) -> UUID | None:
        if not self._batch_subjects:
            return None
        if "@" in reference:
            reference = self.ledger.lookup_hash("email", reference)
        return self._batch_subjects.get(reference)

    def _remember_email(self, reference: str, subject: UUID) -> None:
        """In a run of batches an email, once found, is not looked up again."""
        if self._in_run and "@" in reference:
            self._batch_subjects[self.ledger.lookup_hash("email", reference)] = subject

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
            raise UnknownSubject(
                _mask(reference), f"{len(matches)} subjects match; give the full id"
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
        if caller is not None and caller.masked:
            return identities.mask_report(report)
        return report

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
            identities.consulted(self.ledger, found, view, caller, purpose)
            self.catch_up()
        return found

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

    def findings(self, subject: str | None = None) -> list[FindingRow]:
        return reads.findings(self.ledger, self._optional(subject))

    def requests(
        self,
        subject: str | None = None,
        *,
        open_only: bool = False,
        today: date | None = None,
    ) -> list[RequestRow]:
        found = self._optional(subject)
        return reads.requests(
            self.ledger, found, open_only=open_only, today=today or clock.today()
        )

    def state(
        self,
        subject: str,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        caller: Caller | None = None,
        purpose: str | None = None,
    ) -> SubjectState:
        found = self._consulted(subject, "state", caller, purpose)
        state = reads.state(self.ledger, found, as_of, known_at)
        if caller is not None and caller.masked:
            return identities.mask_state(state)
        return state

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

    def retention_report(
        self, as_of: datetime | None = None, *, progress: Progress | None = None
    ) -> list[RetentionRow]:
        return lifecycle.retention_report(self, as_of or clock.now(), progress)

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
        verifier = None if public_key is None else Verifier.parse(public_key)
        return verification.witness(self, folder, verifier)

    def prove(
        self,
        *,
        subject: str | None = None,
        sequence: int | None = None,
        hashes_only: bool = False,
    ) -> Evidence:
        """Evidence for a third party: a subject's events, or one event."""
        if subject is not None:
            found = str(self._subject(subject))
            sequences = [row["notification_id"] for row in self.merkle.leaves_of(found)]
        elif sequence is not None:
            integrity.check_sequence(sequence, "sequence")
            self.catch_up()
            sequences = [sequence]
        else:
            raise InvalidCommand("sequence", "give a sequence or a subject")
        return integrity.prove(self, sequences, hashes_only=hashes_only)

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
        self.catch_up()  # a revocation counts at once
        return identities.authenticate(self.ledger, token)

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
        lines: Iterable[str],
        *,
        batch_size: int = 500,
        progress: Progress | None = None,
    ) -> FeedReport:
        """Commands from JSON lines; a checkpoint is signed after them."""
        return records.apply_feed(self, lines, batch_size, progress)

    def import_contacts(
        self,
        source: Path | TextIO,
        *,
        origin: str | None,
        purposes: Sequence[str] = ("customer_relationship",),
        reported_by: str = "crm_import",
        progress: Progress | None = None,
    ) -> ImportSummary:
        """A CRM export (CSV), ``origin`` the policy source of its values."""
        return records.import_csv(
            self, source, origin, tuple(purposes), reported_by, progress
        )


def _mask(reference: str) -> str:
    """Never echo an email in clear (errors end up in logs)."""
    if "@" not in reference:
        return reference
    local, _, domain = reference.partition("@")
    return f"{local[:1]}…@{domain}"
