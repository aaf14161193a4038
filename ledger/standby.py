"""Reads on a PostgreSQL hot standby, writes on the primary: the one seam.

Every query of the ledger, ours and the library's, borrows a connection
from the primary datastore's pool. ``Standby.attach`` puts a ``RoutedPool``
in that pool's place: inside a call marked ``@read_method`` it lends
standby connections, everywhere else (and inside ``with primary():``)
primary ones. So routing is decided here and nowhere else.

Read your writes: once this process committed a write, the next read asks
the primary for its WAL position (``pg_current_wal_lsn()``), and awaits the
standby's replay (``pg_last_wal_replay_lsn()``) up to that point, within a
bound. That covers this process's writes (and others' committed before
them); another process's newer writes are seen once replayed, usually
milliseconds later. Past the bound the read runs on the primary ("lag"); a
standby that fails or refuses (a read path that writes) also sends the call
to the primary ("error", "read_only"): never an error to the caller.
"""

from __future__ import annotations

import functools
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import psycopg
import structlog
from psycopg.errors import ReadOnlySqlTransaction

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from eventsourcing.postgres import PostgresDatastore

__all__ = [
    "RoutedPool",
    "Standby",
    "StandbyRefused",
    "StandbyStats",
    "primary",
    "read_method",
]

log = structlog.get_logger("kirjuri.standby")

# Between two looks at the standby's replay: short at first (replay is
# usually milliseconds behind), never longer than this.
FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.05


class StandbyRefused(Exception):
    """The standby failed a read: the call is run again on the primary."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Call:
    """Where the connections of one read call come from."""

    standby: Standby
    on_standby: bool
    fell_back: str | None = None  # why the rest of the call left the standby


# None: not inside a read call (the primary, as for every write).
_CALL: ContextVar[_Call | None] = ContextVar("kirjuri_read_call", default=None)
# Inside a ``read_method`` call (with or without a standby).
_READING: ContextVar[bool] = ContextVar("kirjuri_reading", default=False)


class _Writes:
    """How many write transactions this process committed: a read asks the
    primary for its WAL position again only when the count moved."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.count += 1


_WRITES = _Writes()


@contextmanager
def primary(*, writes: bool = False) -> Iterator[None]:
    """Use the primary inside: writes (``writes``: a transaction that
    commits inside), and reads that must see the newest state (catch-up, a
    consultation's record, signing a checkpoint). Back on a standby call
    after a write, the standby is awaited up to it."""
    outer = _CALL.get()
    token = _CALL.set(None)
    before = _WRITES.count
    try:
        yield
    finally:
        _CALL.reset(token)
    if writes:
        _WRITES.add()  # committed: a later read waits for it
    if outer is not None and outer.on_standby and _WRITES.count != before:
        reason = outer.standby.sync()
        if reason is not None:  # the rest of the call reads the primary
            outer.on_standby, outer.fell_back = False, reason


@dataclass
class StandbyStats:
    """What /metrics reports (counted in this process)."""

    reads: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)
    wait_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_read(self) -> None:
        with self.lock:
            self.reads += 1

    def count_fallback(self, reason: str) -> None:
        with self.lock:
            self.fallbacks[reason] = self.fallbacks.get(reason, 0) + 1

    def add_wait(self, seconds: float) -> None:
        with self.lock:
            self.wait_seconds += seconds


class RoutedPool:
    """Stands in the primary datastore's pool: lends a standby connection
    inside a read call on the standby, a primary one otherwise."""

    def __init__(self, primary_pool: Any, standby: PostgresDatastore) -> None:
        self.primary = primary_pool
        self.standby = standby

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        self.primary.open(wait, timeout)

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Any]:
        call = _CALL.get()
        if call is None or not call.on_standby:
            with self.primary.connection(timeout) as conn:
                yield conn
            return
        try:
            with self.standby.get_connection() as conn:
                yield conn
        except ReadOnlySqlTransaction as err:
            raise StandbyRefused("read_only") from err
        except Exception as err:
            # The datastore maps psycopg's errors to the library's: a lost
            # or refused connection, a query cancelled by replay.
            if isinstance(err.__cause__, ReadOnlySqlTransaction):
                raise StandbyRefused("read_only") from err
            if isinstance(err, psycopg.OperationalError) or isinstance(
                err.__cause__, psycopg.OperationalError
            ):
                raise StandbyRefused("error") from err
            raise

    def close(self) -> None:
        self.primary.close()
        self.standby.close()

    def __enter__(self) -> RoutedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Standby:
    """A hot standby beside the primary datastore, and its read statistics."""

    def __init__(
        self, primary_store: PostgresDatastore, standby: PostgresDatastore, wait: float
    ) -> None:
        self.primary_pool = primary_store.pool
        self.standby = standby
        self.wait = wait
        self.stats = StandbyStats()
        self._replayed = 0  # the newest WAL position the standby was seen past
        self._target = 0  # the primary's position after this process's writes
        self._writes_seen = -1  # the write count when _target was taken

    @classmethod
    def attach(
        cls, primary_store: PostgresDatastore, standby: PostgresDatastore, wait: float
    ) -> Standby:
        """Route the primary datastore's connections through a RoutedPool."""
        made = cls(primary_store, standby, wait)
        primary_store.pool = RoutedPool(primary_store.pool, standby)  # type: ignore[assignment]
        return made

    def run(self, call: Callable[[], Any]) -> Any:
        """``call`` on the standby once it replayed what the primary holds;
        on the primary after the bound, or if the standby fails it."""
        reason = self.sync()
        if reason is None:
            state = _Call(self, on_standby=True)
            token = _CALL.set(state)
            try:
                result = call()
            except StandbyRefused as err:
                reason = err.reason
            else:
                if state.fell_back is None:
                    self.stats.count_read()
                else:
                    self.stats.count_fallback(state.fell_back)
                return result
            finally:
                _CALL.reset(token)
        self.stats.count_fallback(reason)
        log.info("read on the primary", reason=reason)
        token = _CALL.set(_Call(self, on_standby=False))
        try:
            return call()
        finally:
            _CALL.reset(token)

    def sync(self) -> str | None:
        """Wait, within the bound, for the standby to replay up to the
        primary's WAL position after this process's last write: None once
        it has, else why not."""
        written = _WRITES.count
        if written != self._writes_seen:
            try:
                # The raw pool: in a standby call the routed one lends standbys.
                with self.primary_pool.connection() as conn:
                    row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
            except psycopg.Error:
                return "error"  # the call meets the primary's failure as usual
            self._target, self._writes_seen = lsn(_first(row)), written
        target = self._target
        if target <= self._replayed:
            return None
        started = time.monotonic()
        try:
            caught_up = self._await_replay(target, started + self.wait)
        except Exception:  # any failure of the standby: read the primary
            log.warning("standby unreachable; reading the primary")
            return "error"
        finally:
            self.stats.add_wait(time.monotonic() - started)
        if not caught_up:
            return "lag"
        self._replayed = target
        return None

    def _await_replay(self, target: int, deadline: float) -> bool:
        pause = FIRST_PAUSE
        # NULL replay position: the server is no standby (promoted): current.
        query = (
            "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn,"
            " NOT pg_is_in_recovery()) AS done"
        )
        with self.standby.get_connection() as conn:
            while True:
                if _first(conn.execute(query, (lsn_text(target),)).fetchone()):
                    return True
                if time.monotonic() + pause > deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)


def _first(row: Any) -> Any:
    """The one column of a row (the pools' rows are dicts)."""
    return next(iter(row.values()))


def lsn(text: str) -> int:
    """A WAL position (``16/B374D848``) as a number, to compare."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def lsn_text(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


F = TypeVar("F", bound="Callable[..., Any]")


def read_method(method: F) -> F:
    """Mark a facade method that only reads: with a standby configured it
    runs there (see the module's docstring). Nested read methods follow the
    outermost one."""

    @functools.wraps(method)
    def routed(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        if _CALL.get() is not None or _READING.get():
            return method(self, *args, **kwargs)  # inside the outermost read
        token = _READING.set(True)
        try:
            # The facade's chance to bring its read models up to date first
            # (on the primary, before a standby is asked).
            before: Callable[[], None] | None = getattr(self, "before_read", None)
            if before is not None:
                before()
            standby: Standby | None = getattr(self, "standby", None)
            if standby is None:
                return method(self, *args, **kwargs)
            return standby.run(lambda: method(self, *args, **kwargs))
        finally:
            _READING.reset(token)

    return cast("F", routed)
