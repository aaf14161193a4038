"""What the facade's methods return: typed models, never printed text.

Rows of the read models come back as models whose fields are the columns a
person or a program sees (the CLI's table, CSV and JSON lines use them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict

from ledger import clock

__all__ = [
    "Acknowledgement",
    "BackupMade",
    "CheckResult",
    "ConsistencyProof",
    "ErasurePreview",
    "Evidence",
    "EvidenceEvent",
    "FeedReport",
    "FindingAcknowledged",
    "FindingRow",
    "HistoryRow",
    "ImportSummary",
    "PolicyAdoption",
    "PolicyItem",
    "ProjectionFault",
    "ProjectionStatus",
    "ProofCheck",
    "RequestRow",
    "RetentionRow",
    "Rotation",
    "Row",
    "SigningRotation",
    "SubjectRow",
    "SubjectState",
    "SweepRow",
    "SwitchState",
    "ValueHeld",
]


# Every moment shown is in the ledger's zone, with its offset.
LocalMoment = Annotated[datetime, AfterValidator(clock.local)]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Row(_View):
    """A read model's row: only the columns shown, extra columns ignored.

    Moments are typed ``datetime | str`` (and days ``date | str``): a read
    model may give them as stored text or as values, and both render."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(cls.model_fields)


class HistoryRow(Row):
    notification_id: int
    occurred_at: datetime | str
    subject_id: str
    event_type: str
    categories: str | None = None
    purposes: str | None = None
    recipient: str | None = None
    country: str | None = None
    legal_basis: str | None = None
    safeguard: str | None = None
    reference: str | None = None
    detail: str | None = None
    reported_by: str


class SubjectRow(Row):
    """A subject found by `subjects --search`, its values opened."""

    subject_id: str
    name: str | None
    email: str | None
    company: str | None
    registered_at: datetime | str | None


class Acknowledgement(Row):
    """Who took note of a finding, when, and what they noted."""

    sequence: int  # the acknowledgement's own place in the log
    acknowledged_by: str
    occurred_at: datetime | str
    note: str


class FindingRow(Row):
    finding_id: int  # its sequence number in the log
    occurred_at: datetime | str
    subject_id: str
    rule: str
    about_event: str
    about_version: int
    detail: str
    acknowledgements: tuple[Acknowledgement, ...] = ()


class FindingAcknowledged(_View):
    """A finding acknowledged: the finding with every acknowledgement so far;
    ``duplicate`` when the command id was recorded before (nothing written)."""

    finding: FindingRow
    duplicate: bool = False
    sequences: tuple[int, ...] = ()  # the new event's place in the log


class RequestRow(Row):
    request_id: str
    subject_id: str
    request_type: str
    channel: str
    received_on: date | str
    due_on: date | str
    status: str
    answered_on: date | str | None = None
    overdue: bool
    number_in_year: int


class RetentionRow(Row):
    """Per category: how many subjects hold it, on which ground, when due."""

    category: str
    retention: str
    subjects: int
    overdue: int
    next_due: date | str | None
    ground: str


class SweepRow(Row):
    """A subject whose keys the sweep destroyed (or would destroy)."""

    subject: str
    destroyed: str  # retention classes, comma-joined
    due: str


class FindingView(_View):
    rule: str
    detail: str


class CheckResult(_View):
    """Would this processing be allowed now? Allowed when no finding."""

    subject: str
    findings: tuple[FindingView, ...]

    @property
    def allowed(self) -> bool:
        return not self.findings


class ValueHeld(_View):
    value: str | None  # "(erased)" when its key is destroyed
    source: str
    since: LocalMoment


class SwitchState(_View):
    in_force: bool
    since: LocalMoment | None


class SubjectState(_View):
    """Values held, consents, objections, restriction and status at a moment."""

    subject: str
    as_of: LocalMoment | None
    known_at: LocalMoment | None
    status: str
    company: str | None
    values: dict[str, ValueHeld]
    consents: dict[str, SwitchState]
    objections: dict[str, SwitchState]
    restricted: bool


class ErasurePreview(_View):
    """What ``erase`` would destroy and keep; nothing was written."""

    subject: str
    would_destroy: tuple[str, ...]
    would_keep: tuple[dict[str, Any], ...]


class BackupMade(_View):
    """A copy of the ledger (without its keys, which are backed up apart)."""

    backup: str
    bytes: int
    not_included: tuple[str, ...]  # the key files (or variables) to back up


class SigningRotation(_View):
    """A new checkpoint signing key, announced at a tree size."""

    from_size: int
    public_key: str
    key_file: str


class Rotation(_View):
    rewrapped: int
    key_file: str


class EvidenceEvent(_View):
    sequence: int
    leaf_index: int
    stream: str
    version: int
    stored_name: str
    state: str | None  # base64 of the stored bytes; None: by leaf hash only
    leaf_hash: str
    inclusion_proof: tuple[str, ...]


class Evidence(_View):
    """An evidence file (docs/evidence.md): events, proofs, a checkpoint."""

    format: str
    origin: str
    public_key: str
    checkpoint: str
    events: tuple[EvidenceEvent, ...]


class ConsistencyProof(_View):
    """RFC 9162 §2.1.4: the tree of ``to_size`` extends the one of
    ``from_size``; both signed checkpoints as their notes, the proof's
    hashes in hex (empty when the sizes are equal or the first is 0)."""

    from_size: int
    to_size: int
    from_checkpoint: str
    to_checkpoint: str
    proof: tuple[str, ...]


class ProofCheck(_View):
    """An evidence file checked offline: problems, or none."""

    events: int
    by_hash_only: int
    signer: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class PolicyAdoption(_View):
    adopted: bool  # False: the same policy was already in force
    origin: str


class PolicyItem(Row):
    """One id a flag accepts, with what the policy says of it."""

    KINDS: ClassVar[tuple[str, ...]] = (
        "purposes",
        "recipients",
        "categories",
        "sources",
        "channels",
        "retention",
    )

    id: str
    label: str
    detail: str = ""


class ProjectionFault(_View):
    """An event a read model skipped because it could not apply it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    model: str
    notification_id: int
    error: str


class ProjectionStatus(_View):
    head: int
    positions: dict[str, int]
    faults: tuple[ProjectionFault, ...] = ()


class FeedReport(_View):
    """A feed: counts, rejected lines, how it ended, the checkpoint signed."""

    recorded: int
    duplicates: int  # lines already recorded (by their command ids)
    rejected: tuple[tuple[int, str], ...]
    findings: int
    last: int  # the number of the last line recorded
    failure: str | None = None  # the database or input failed mid-run
    failure_code: int | None = None  # its exit code
    checkpoint: int | None  # the tree size signed after it, if any
    checkpoint_error: str | None = None  # why no checkpoint was signed
    checkpoint_code: int | None = None  # and its exit code

    def summary(self) -> str:
        return (
            f"recorded {self.recorded}, duplicates {self.duplicates}, "
            f"rejected {len(self.rejected)}, findings {self.findings}"
        )


class ImportSummary(_View):
    """A CRM export imported: subjects made and updated, rows rejected."""

    registered: int
    updated: int
    duplicates: int  # rows already recorded, or holding nothing new
    rejected: tuple[tuple[int, str], ...]
    findings: int
    last: int  # the line of the last row recorded
    failure: str | None = None
    failure_code: int | None = None
    checkpoint: int | None
    checkpoint_error: str | None = None
    checkpoint_code: int | None = None

    @property
    def recorded(self) -> int:
        return self.registered + self.updated

    def summary(self) -> str:
        return (
            f"recorded {self.recorded} (registered {self.registered}, updated "
            f"{self.updated}), duplicates {self.duplicates}, "
            f"rejected {len(self.rejected)}, findings {self.findings}"
        )
