"""What the API answers where the facade's own models do not fit as is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from commands.handlers import Outcome
    from commands.usecases.views import CheckResult, FeedReport

__all__ = [
    "BatchAnswer",
    "CheckAnswer",
    "CommandAnswer",
    "FindingOut",
    "Health",
    "LineAnswer",
    "LineResult",
]


class FindingOut(BaseModel):
    rule: str
    detail: str


class CommandAnswer(BaseModel):
    """A command recorded: its events' sequence numbers and any findings."""

    subject: str
    recorded: list[str]
    sequences: list[int]
    findings: list[FindingOut]
    request: str | None = None
    duplicate: bool = False

    @classmethod
    def of(cls, outcome: Outcome, sequences: list[int]) -> CommandAnswer:
        return cls(
            subject=str(outcome.subject_id),
            recorded=[e.STORED_NAME for e in outcome.events],
            sequences=sequences,
            findings=[
                FindingOut(rule=f.rule, detail=f.detail) for f in outcome.findings
            ],
            request=outcome.request_id,
            duplicate=outcome.duplicate,
        )


class LineResult(BaseModel):
    line: int
    error: str


class LineAnswer(BaseModel):
    """One line: ``recorded`` now, a ``duplicate`` (the original's sequence
    numbers and findings, nothing written), or ``rejected`` (``error``)."""

    line: int
    status: Literal["recorded", "duplicate", "rejected"]
    subject: str | None = None
    request: str | None = None
    sequences: list[int] = []
    findings: list[FindingOut] = []
    error: str | None = None


class BatchAnswer(BaseModel):
    """Like ``kirjuri apply``: counts, each refused line with its error, and
    every line's answer."""

    recorded: int
    duplicates: int  # lines whose command id was recorded before
    findings: int
    rejected: list[LineResult]
    checkpoint: int | None
    failure: str | None = None  # the database failed mid-batch
    lines: list[LineAnswer] = []

    @classmethod
    def of(cls, report: FeedReport) -> BatchAnswer:
        return cls(
            recorded=report.recorded,
            duplicates=report.duplicates,
            failure=report.failure,
            findings=report.findings,
            rejected=[LineResult(line=n, error=e) for n, e in report.rejected],
            checkpoint=report.checkpoint,
            lines=[
                LineAnswer.model_validate(line.model_dump()) for line in report.lines
            ],
        )


class CheckAnswer(BaseModel):
    subject: str
    allowed: bool
    findings: list[FindingOut]

    @classmethod
    def of(cls, result: CheckResult) -> CheckAnswer:
        return cls(
            subject=result.subject,
            allowed=result.allowed,
            findings=[
                FindingOut(rule=f.rule, detail=f.detail) for f in result.findings
            ],
        )


class Health(BaseModel):
    status: str
    head: int | None = None
    lag: int | None = None
