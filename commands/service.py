"""Kirjuri as a library: run commands, keep read models current, resolve names.

kirjuri = Kirjuri.open(Settings.from_environ())
outcome = kirjuri.execute(parse_command({...}))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from commands.bootstrap import Settings, build_ledger, signing_key
from commands.handlers import Outcome, handle
from ledger.checkpoints import Signer
from ledger.errors import InvalidCommand, UnknownSubject
from ledger.notary import Notary, StoredCheckpoint, ledger_origin
from projections import queries
from projections.merkle import MerkleStore
from projections.runner import Projector

if TYPE_CHECKING:
    from ledger.application import Ledger
    from projections.runner import Progress

__all__ = ["Kirjuri"]

log = structlog.get_logger("kirjuri")

_MIN_PREFIX = 8
# Commands that may collect a looked-up value (an email) and so must see
# every objection kept after an erasure.
_READS_SUPPRESSION = frozenset({"register", "collect", "rectify"})


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
        """Record one command; read models follow unless told not to."""
        if command.kind in _READS_SUPPRESSION:
            self.catch_up()  # the suppression list must include every erasure
        outcome = handle(self.ledger, command, self.resolve)
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

    def catch_up(self, progress: Progress | None = None) -> int:
        return self.projector.catch_up(progress)

    def resolve(self, reference: str) -> UUID:
        """A subject by id, unique id prefix, email, or ``request:ID``."""
        reference = reference.strip()
        try:
            subject_id = UUID(reference)
        except ValueError:
            pass
        else:
            if not self.ledger.exists(subject_id):
                raise UnknownSubject(reference)
            return subject_id
        self.catch_up()
        database = self.ledger.database
        if reference.startswith("request:"):
            found = queries.request_subject(
                database, reference.removeprefix("request:")
            )
            if found is None:
                raise InvalidCommand("request_id", f"no request {reference[8:]}")
            return UUID(found)
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


def _mask(reference: str) -> str:
    """Never echo an email in clear (errors end up in logs)."""
    if "@" not in reference:
        return reference
    local, _, domain = reference.partition("@")
    return f"{local[:1]}…@{domain}"
