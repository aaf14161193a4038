"""A run of commands: what is saved together, and what the run already knows.

`Kirjuri.execute_many` makes one `Run` for a whole feed or import and
`Kirjuri.execute` one for a single command; handlers read and write through
it, never through modes set on the ledger or the key store. A run holds, for
the batch being built:

- the pending events (every command's, and their receipts), saved by `save`
  in one append, all or none;
- the states of the subjects those events touch (so a later command of the
  batch sees what an earlier one did);
- the subjects made in the batch (their data keys are made in memory by the
  key store and stored by the ledger's append with the first events that use
  them, so a refused command leaves no key);
- the names the batch made (emails of new subjects, request ids), which the
  read models cannot know yet;
- the command ids it recorded (a second command of the batch with the same
  id is a duplicate), and the suppression list as read when it opened.

Across the batches of a run it keeps the states its saves left (bounded by
`RUN_STATES` and `RUN_EVENTS`; a state it evicts is stored as a snapshot
first, so a long import does not fold it again from its first event) and
the emails it already found. A stale kept state (another writer appended)
makes the next save fail on the stream's version, never silently.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING, Any

import psycopg
import structlog
from eventsourcing.persistence import PersistenceError

from ledger import clock
from ledger import events as ev
from ledger.subject import SubjectState, project_subject

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from uuid import UUID

    from ledger.application import Ledger
    from ledger.sealed import Sealed

__all__ = ["RUN_EVENTS", "RUN_STATES", "RecentStates", "Run"]

log = structlog.get_logger("kirjuri.run")

# Subjects' states kept between the batches of a run: a bound on memory, so
# that a ten-million-event import needs no more than a small one. A state
# evicted comes back from its snapshot and the events after it.
RUN_STATES = 10_000
# ... and by the events they fold: a state holds every value collected (about
# 0.6 kB an event), so ten thousand long streams would grow with the import.
RUN_EVENTS = 150_000
# An evicted state is stored as a snapshot when it folds this many events
# since its last one: loading it again then reads only what follows.
EVICTED_SNAPSHOT = 10
# Emails found in earlier batches, kept so they are not looked up again.
EMAILS_REMEMBERED = 50_000
# States a facade keeps between its single commands (an API worker's), and
# the events they may fold in all: a few MB.
RECENT_STATES = 1_000
RECENT_EVENTS = 20_000

Suppression = dict[str, list[dict[str, Any]]]


class RecentStates:
    """Subjects' states as this process's single commands last saved them.

    The next command on a subject takes its state from here and brings it
    forward from the log (one query for the events stored since, by any
    writer; usually none) instead of reading its snapshot and folding up to
    SNAPSHOT_EVERY events again. Bounded, oldest dropped first; safe to use
    from the API's threads."""

    def __init__(
        self, ledger: Ledger, states: int = RECENT_STATES, events: int = RECENT_EVENTS
    ) -> None:
        self._ledger = ledger
        self._limits = states, events
        self._states: dict[UUID, SubjectState] = {}
        self._events = 0
        self._lock = threading.Lock()

    def take(self, subject_id: UUID) -> SubjectState | None:
        """The kept state, up to date with the log; None if none is kept."""
        with self._lock:
            state = self._states.pop(subject_id, None)
            if state is not None:
                self._events -= state.version
        return None if state is None else self._ledger.fast_forward(state)

    def keep(self, states: Sequence[SubjectState]) -> None:
        """States just saved (newest last)."""
        with self._lock:
            for state in states:
                old = self._states.pop(state.id, None)
                self._events += state.version - (0 if old is None else old.version)
                self._states[state.id] = state
            most_states, most_events = self._limits
            while self._states and (
                len(self._states) > most_states or self._events > most_events
            ):
                dropped = self._states.pop(next(iter(self._states)))
                self._events -= dropped.version

    def knows(self, subject_id: UUID) -> bool:
        """Whether a state of this subject is kept (so it is one: a stream
        never stops being a subject's)."""
        with self._lock:
            return subject_id in self._states


class Run:
    """The commands of one `execute` or `execute_many`, batch by batch."""

    def __init__(
        self,
        ledger: Ledger,
        lookup: Callable[[str], UUID],
        matches: Callable[[str], list[UUID]],
        *,
        bulk: bool = False,
        recent: RecentStates | None = None,
    ) -> None:
        self.ledger = ledger
        self.bulk = bulk
        self._recent = recent  # a single command's: states its facade kept
        self._lookup = lookup  # a name the read models know (saved subjects)
        self._matches = matches  # every saved subject with an email
        self._kept: dict[UUID, SubjectState] = {}
        # Kept states that may miss events stored since (an erasure ran in a
        # run of its own): brought forward from the log when used again.
        self._stale: set[UUID] = set()
        self._found: dict[str, UUID] = {}
        self.begin(None)

    # The batch ----------------------------------------------------------------

    def begin(self, suppression: Suppression | None) -> None:
        """Open a new batch (the previous one saved or discarded)."""
        self.pending: list[ev.SubjectEvent] = []
        self.states: dict[UUID, SubjectState] = {}
        self.suppression = suppression
        self.receipts: dict[str, Any] = {}  # command id -> its outcome
        self.fingerprints: dict[str, tuple[str, str]] = {}  # id -> (kind, print)
        self._made_names: dict[str, UUID] = {}
        self._after_save: list[Callable[[], None]] = []

    def load(self, subject_id: UUID) -> SubjectState:
        """The subject's state with the batch's events (empty if it has none)."""
        state = self.states.get(subject_id)
        if state is None:
            state = self._kept.pop(subject_id, None)
            if state is None and self._recent is not None:
                state = self._recent.take(subject_id)
            if state is None:
                state = self.ledger.load(subject_id)
            elif subject_id in self._stale:
                self._stale.discard(subject_id)
                state = self.ledger.fast_forward(state)
            self.states[subject_id] = state
        return state

    def append(self, events: Sequence[ev.SubjectEvent]) -> None:
        """Add events to the batch; subjects' states follow at once."""
        for event in events:
            if isinstance(event, ev.RECEIPT_TYPES):
                continue  # a receipt stream is no subject
            folded = project_subject(self.states.get(event.originator_id), [event])
            assert folded is not None
            self.states[event.originator_id] = folded
        self.pending.extend(events)

    def after_save(self, action: Callable[[], None]) -> None:
        """Do this once the batch's events are stored (erasure destroys keys)."""
        self._after_save.append(action)

    def save(self) -> None:
        """Store every pending event in one append (with the new keys they
        use; keys of refused commands are dropped, never stored)."""
        try:
            if self.pending:
                self.ledger.append(self.pending)
            else:
                self.ledger.keys.store_for(())
        except BaseException:
            self.discard()
            raise
        self._snapshot(self.ledger.state_snapshots.due(list(self.states.values())))
        if self._recent is not None:
            self._recent.keep(list(self.states.values()))
        else:
            self._keep_between_batches()
        actions = self._after_save
        self.begin(self.suppression)
        for action in actions:
            action()

    def _keep_between_batches(self) -> None:
        """The batch's states, kept for the run's next batches (bounded)."""
        self._kept.update(self.states)
        held = sum(state.version for state in self._kept.values())
        evicted = []
        while len(self._kept) > RUN_STATES or held > RUN_EVENTS:  # oldest first
            state = self._kept.pop(next(iter(self._kept)))
            held -= state.version
            evicted.append(state)
        self._snapshot(self._worth_keeping(evicted))
        if self.bulk:
            self._found.update(self._made_names)
            if len(self._found) > EMAILS_REMEMBERED:
                self._found.clear()  # saved subjects: found again by email

    def _worth_keeping(self, evicted: list[SubjectState]) -> list[SubjectState]:
        """Evicted states that would cost a fold of EVICTED_SNAPSHOT events or
        more to load again (a long import evicts the same growing streams
        over and over). Not a stale one: it may miss an erasure's events."""
        return [
            state
            for state in evicted
            if state.version - state.snapshot_version >= EVICTED_SNAPSHOT
            and state.id not in self._stale
        ]

    def _snapshot(self, due: list[SubjectState]) -> None:
        """Store saved states, so that loading them again (evicted, another
        run) reads only the events that follow."""
        if not due:
            return
        try:
            self.ledger.state_snapshots.put(due)
        except (PersistenceError, sqlite3.Error, psycopg.Error) as err:
            # A cache: the events are saved already; the next save tries again.
            log.warning("snapshots not stored", error=type(err).__name__)

    def discard(self) -> None:
        """Forget the batch; kept states may hold its unsaved events."""
        self._kept.clear()
        self._stale.clear()
        self.ledger.keys.store_for(())  # no key of an unsaved batch is kept
        self.begin(self.suppression)

    def forget(self, erased: UUID | None = None) -> None:
        """After an erasure: an erased email must not resolve, nor a state
        from before the erasure be reused as it is (brought forward from the
        log when next used, not folded again). Only the erased subject's,
        when known: an erasure appends to its own stream alone, and
        forgetting every name made each later command look its subject up
        again (a growing share of a long import)."""
        if erased is None:  # what the erasure changed is not known: all
            self._stale = set(self._kept)
            self._found.clear()
            return
        if erased in self._kept:
            self._stale.add(erased)
        for key in [k for k, subject in self._found.items() if subject == erased]:
            del self._found[key]

    # Keys and values of subjects made in the batch ------------------------------

    def new_subject(self, subject_id: UUID) -> None:
        """A subject made in this batch: it has no stored keys to look up."""
        self.ledger.keys.note_new_subject(subject_id)

    def seal(self, subject_id: UUID, category: str, value: str) -> Sealed:
        return self.ledger.seal(subject_id, category, value)

    def open_or_none(
        self, subject_id: UUID, category: str, sealed: Sealed
    ) -> str | None:
        return self.ledger.open_or_none(subject_id, category, sealed)

    # Names ------------------------------------------------------------------

    def name(self, name: str, subject_id: UUID) -> None:
        """Let later commands of the run find what this batch made."""
        self._made_names[self._key(name)] = subject_id

    def resolve(self, reference: str) -> UUID:
        """A subject by a name made in the run, else as the read models say."""
        reference = reference.strip()
        key = self._key(reference) if (self._made_names or self._found) else ""
        found = self._made_names.get(key) or self._found.get(key)
        if found is not None:
            return found
        subject = self._lookup(reference)
        if self.bulk and "@" in reference:
            self._found[key or self._key(reference)] = subject
        return subject

    def subjects_with_email(self, email: str) -> list[UUID]:
        """Every subject with this email: made in the run, or saved."""
        key = self._key(email)
        found = [s for s in (self._made_names.get(key), self._found.get(key)) if s]
        return list(dict.fromkeys([*found, *self._matches(email)]))

    def _key(self, name: str) -> str:
        if "@" in name and not name.startswith("request:"):
            return self.ledger.lookup_hash("email", name)
        return name

    # Receipts ---------------------------------------------------------------

    def receipt(
        self,
        command: Any,
        subject_id: UUID,
        request_id: str | None,
        fingerprint: str,
    ) -> ev.CommandReceived:
        """The event that claims the command's id, for the batch's save."""
        now = clock.now()
        return ev.CommandReceived(
            originator_id=ev.receipt_stream("command:" + command.command_id),
            originator_version=1,
            occurred_at=command.at,
            recorded_at=now,
            reported_by=command.reported_by,
            command_id=command.command_id,
            command=command.kind,
            subject_id=subject_id,
            request_id=request_id,
            fingerprint=fingerprint,
        )
