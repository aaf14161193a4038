"""Kirjuri as a library: run commands, keep read models current, resolve names.

kirjuri = Kirjuri.open(Settings.from_environ())
outcome = kirjuri.execute(parse_command({...}))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from commands.bootstrap import Settings, build_ledger
from commands.handlers import Outcome, handle
from ledger.errors import InvalidCommand, UnknownSubject
from projections import queries
from projections.runner import Projector

if TYPE_CHECKING:
    from ledger.application import Ledger
    from projections.runner import Progress

__all__ = ["Kirjuri"]

log = structlog.get_logger("kirjuri")

_MIN_PREFIX = 8


class Kirjuri:
    def __init__(self, ledger: Ledger, projector: Projector) -> None:
        self.ledger = ledger
        self.projector = projector

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> Kirjuri:
        ledger = build_ledger(settings, create=create)
        return cls(ledger, Projector(ledger))

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Kirjuri:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, command: Any, *, catch_up: bool = True) -> Outcome:
        """Record one command; read models follow unless told not to."""
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
