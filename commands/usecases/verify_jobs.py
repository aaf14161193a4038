"""Verify as a job a page can poll: started, then asked how far it got.

A long verify must not hold the request that started it, nor the facade
serving other requests (the facade is not shared between threads). A job
runs in a thread of its own with its own facade opened on the same
settings, as a second process would, and reports its progress into a
record the pages read. Jobs live as long as the process: a restart
forgets them (the notary keeps how far the last clean verify reached).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import structlog
from pydantic import BaseModel, ConfigDict

from ledger import clock
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    from collections.abc import Callable

    from commands.service import Kirjuri

__all__ = ["CheckpointRow", "IntegrityOverview", "VerifyJob", "VerifyJobs"]

log = structlog.get_logger("kirjuri.verify_jobs")

JobState = Literal["running", "passed", "failed", "error"]
KEPT = 20  # finished jobs remembered (the newest)


class VerifyJob(BaseModel):
    """What a status page shows of one run of verify."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    state: JobState
    started_at: datetime
    finished_at: datetime | None = None
    done: int = 0  # events checked so far
    total: int = 0  # events to check (0: not known yet)
    events: int = 0
    checkpoints: int = 0
    problems: tuple[str, ...] = ()
    error: str | None = None  # why the run itself could not finish

    @property
    def percent(self) -> int:
        if self.state != "running":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class CheckpointRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    size: int
    root: str  # hex
    timestamp: datetime


class IntegrityOverview(BaseModel):
    """What the Integrity page shows before any run."""

    model_config = ConfigDict(frozen=True)

    checkpoints: tuple[CheckpointRow, ...]
    public_key: str
    last_verified: int | None  # the sequence the last clean verify reached
    head: int  # events stored
    latest_run: VerifyJob | None


@dataclass
class _Record:
    """A running job's mutable record, guarded by the registry's lock."""

    job: VerifyJob
    finished: threading.Event = field(default_factory=threading.Event)


class _Progress:
    """The verify Progress protocol, written into the job's record."""

    def __init__(self, update: Callable[..., None]) -> None:
        self._update = update

    def start(self, total: int) -> None:
        self._update(total=total, done=0)

    def advance(self, done: int) -> None:
        self._update(done=done)

    def finish(self) -> None:
        return None


class VerifyJobs:
    """The jobs of one process; ``open_facade`` gives each job its facade."""

    def __init__(self, open_facade: Callable[[], Kirjuri]) -> None:
        self._open = open_facade
        self._lock = threading.Lock()
        self._jobs: dict[str, _Record] = {}

    def start(self, *, read_models: bool = False) -> VerifyJob:
        """A new job, running; one at a time (a second start returns it)."""
        with self._lock:
            for record in self._jobs.values():
                if record.job.state == "running":
                    return record.job
            job = VerifyJob(
                job_id=uuid.uuid4().hex, state="running", started_at=clock.now()
            )
            self._jobs[job.job_id] = _Record(job)
            self._forget_old()
        thread = threading.Thread(
            target=self._run, args=(job.job_id, read_models), daemon=True
        )
        thread.start()
        return job

    def get(self, job_id: str) -> VerifyJob:
        with self._lock:
            record = self._jobs.get(job_id)
        if record is None:
            raise InvalidCommand("job", "no such verify run (the server restarted?)")
        return record.job

    def latest(self) -> VerifyJob | None:
        with self._lock:
            jobs = [r.job for r in self._jobs.values()]
        return max(jobs, key=lambda j: j.started_at, default=None)

    def wait(self, job_id: str, timeout: float | None = None) -> VerifyJob:
        """The job once finished (for callers that must not poll)."""
        with self._lock:
            record = self._jobs[job_id]
        record.finished.wait(timeout)
        return record.job

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            record = self._jobs[job_id]
            record.job = record.job.model_copy(update=changes)

    def _run(self, job_id: str, read_models: bool) -> None:
        progress = _Progress(lambda **c: self._update(job_id, **c))
        try:
            with self._open() as kirjuri:
                result = kirjuri.verify(read_models=read_models, progress=progress)
        except Exception as err:  # the run failed, not the ledger: said so
            log.warning("verify job failed", error=type(err).__name__)
            self._update(
                job_id,
                state="error",
                error=f"verify could not run: {type(err).__name__}",
                finished_at=clock.now(),
            )
        else:
            self._update(
                job_id,
                state="passed" if result.ok else "failed",
                done=result.events,
                events=result.events,
                checkpoints=result.checkpoints,
                problems=tuple(str(p) for p in result.problems),
                finished_at=clock.now(),
            )
        finally:
            with self._lock:
                self._jobs[job_id].finished.set()

    def _forget_old(self) -> None:
        finished = sorted(
            (r.job for r in self._jobs.values() if r.job.state != "running"),
            key=lambda j: j.started_at,
        )
        for job in finished[:-KEPT]:
            del self._jobs[job.job_id]
