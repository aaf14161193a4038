"""Commands: what a system or a person asks the ledger to record.

All commands form one tagged union (on ``kind``) parsed by one TypeAdapter
at the edge, whether they come from the CLI, a JSON-lines feed or Python.
Field descriptions double as the CLI's help.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from ledger import clock
from ledger.errors import InvalidCommand
from ledger.events import ObjectionScope, RequestType, RestrictionGround
from ledger.policy import LegalBasis, Safeguard
from ledger.redaction import CONTROL, has_personal_value

__all__ = [
    "COMMANDS",
    "LOCAL_TZ",
    "Command",
    "parse_choice",
    "parse_command",
    "parse_moment",
]

# Moments given by people and feeds: parsed and bounded by the ledger's clock
# (re-exported here for code that imported them from the models).
LOCAL_TZ = clock.LOCAL_TZ
_moment = clock.parse
parse_moment = clock.parse_moment

# An event's time: local time when no offset is given, refused outside
# 1970 .. now + clock skew, held in the ledger's zone (so `at.date()` is the
# local date).
Moment = Annotated[
    datetime, BeforeValidator(clock.parse), AfterValidator(clock.check_event_time)
]
# A day something happened on (a request received): 1970 .. today.
Day = Annotated[date, AfterValidator(clock.check_day)]


# Free text is stored in clear (it is metadata, queried by auditors), so it
# must not carry a personal value: an email address or a phone number is
# refused here rather than kept where no key can erase it. The check is
# linear (ledger.redaction), and every text is bounded before it runs.
def _no_personal_value(value: str | None) -> str | None:
    if value is not None and (found := has_personal_value(value)) is not None:
        raise ValueError(f"must not contain {found} (stored in clear)")
    return value


def _no_control(value: str) -> str:
    """No NUL, newline, terminal escape or bidirectional override in a text:
    it would end up in reports, tables and terminals as something else."""
    if CONTROL.search(value):
        raise ValueError("must not contain control characters (newlines, NUL, escapes)")
    return value


_OneLine = AfterValidator(_no_control)
_InClear = AfterValidator(_no_personal_value)
_Choice = TypeVar("_Choice", bound=StrEnum)

# Limits suited to each field: an email is at most 254 characters (RFC 5321),
# the rest generous for real values and small enough to refuse a megabyte.
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Ids = Annotated[tuple[Identifier, ...], Field(min_length=1, max_length=50)]
RequestId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
# A subject is named by an id, an id prefix, an email or request:ID.
SubjectRef = Annotated[str, Field(min_length=1, max_length=300), _OneLine]
Name = Annotated[str, Field(min_length=1, max_length=200), _OneLine]
Email = Annotated[str, Field(min_length=1, max_length=254), _OneLine]
Phone = Annotated[str, Field(min_length=1, max_length=40), _OneLine]
Title = Annotated[str, Field(min_length=1, max_length=100), _OneLine]
Company = Annotated[str, Field(min_length=1, max_length=200), _OneLine]
BusinessId = Annotated[str, Field(min_length=1, max_length=20), _OneLine]
Value = Annotated[str, Field(min_length=1, max_length=2000), _OneLine]
# Stored in clear: an order number, a contract reference, evidence, reasons.
ClearRef = Annotated[str, Field(min_length=1, max_length=100), _OneLine, _InClear]
Evidence = Annotated[str, Field(min_length=1, max_length=200), _OneLine, _InClear]
Reason = Annotated[str, Field(min_length=1, max_length=500), _OneLine, _InClear]
Note = Annotated[str, Field(min_length=1, max_length=1000), _OneLine, _InClear]


def parse_choice(choices: type[_Choice], text: str, field: str) -> _Choice:
    """An enum-like option given as text; a wrong one names its field."""
    try:
        return choices(text)
    except ValueError:
        allowed = ", ".join(member.value for member in choices)
        raise InvalidCommand(field, f"must be one of {allowed}") from None


# An idempotency key: printable ASCII, no spaces; stored in clear in the
# command's receipt, so it must not carry a personal value either.
CommandId = (
    Annotated[str, Field(pattern=r"^[!-~]{1,128}$"), AfterValidator(_no_personal_value)]
    | None
)


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    help: ClassVar[str] = ""

    command_id: CommandId = Field(
        default=None,
        description="idempotency key chosen by the sender: a command whose id "
        "was already recorded is acknowledged as a duplicate and writes nothing",
    )
    at: Moment = Field(
        default_factory=clock.now,
        description="when it happened (ISO date or time; default now)",
    )
    reported_by: Identifier = Field(
        default="cli", description="the system reporting it (crm, erp, …)"
    )


class _SubjectCommand(_Command):
    subject: SubjectRef = Field(description="subject id (or unique prefix) or email")


class RegisterSubject(_Command):
    help: ClassVar[str] = "register a contact as a representative of a company"
    kind: Literal["register"] = "register"
    company: Company = Field(description="name of the company the person represents")
    business_id: BusinessId | None = Field(
        default=None, description="company's business ID"
    )
    source: Identifier = Field(description="where the data came from (policy source)")
    name: Name | None = Field(default=None, description="the person's name")
    email: Email | None = Field(default=None, description="the person's email")
    phone: Phone | None = Field(default=None, description="the person's phone")
    title: Title | None = Field(default=None, description="title or salutation")
    purposes: Ids = Field(
        default=("customer_relationship",), description="purposes of the collection"
    )
    new_subject: bool = Field(
        default=False,
        description="register even though the email is already known: a second "
        "person on purpose (without it, a known email is refused)",
    )


class CollectData(_SubjectCommand):
    help: ClassVar[str] = "record personal data collected about a subject"
    kind: Literal["collect"] = "collect"
    category: Identifier = Field(description="data category (policy)")
    value: Value = Field(description="the value (stored encrypted)")
    source: Identifier = Field(description="where it came from (policy source)")
    purposes: Ids = Field(description="purposes it is collected for")


class RectifyData(_SubjectCommand):
    help: ClassVar[str] = "record a corrected value (Art. 16)"
    kind: Literal["rectify"] = "rectify"
    category: Identifier = Field(description="data category (policy)")
    value: Value = Field(description="the corrected value")
    source: Identifier = Field(default="subject", description="who gave it")


class GiveConsent(_SubjectCommand):
    help: ClassVar[str] = "record consent to a purpose"
    kind: Literal["consent"] = "consent"
    purpose: Identifier = Field(description="purpose consented to")
    channel: Identifier = Field(description="how it was given (web_form, email, …)")
    evidence: Evidence | None = Field(
        default=None, description="reference to the record"
    )


class WithdrawConsent(_SubjectCommand):
    help: ClassVar[str] = "record withdrawal of consent"
    kind: Literal["withdraw-consent"] = "withdraw-consent"
    purpose: Identifier = Field(description="purpose withdrawn")
    channel: Identifier = Field(description="how (unsubscribe_link, post, …)")
    evidence: Evidence | None = Field(
        default=None, description="reference to the record"
    )


class RecordObjection(_SubjectCommand):
    help: ClassVar[str] = "record an objection (Art. 21)"
    kind: Literal["object"] = "object"
    scope: ObjectionScope = Field(description="what is objected to")
    channel: Identifier = Field(description="how it was made")


class LiftObjection(_SubjectCommand):
    help: ClassVar[str] = "record that the person lifted an objection"
    kind: Literal["lift-objection"] = "lift-objection"
    scope: ObjectionScope = Field(description="which objection")
    channel: Identifier = Field(description="how it was asked")


class RestrictProcessing(_SubjectCommand):
    help: ClassVar[str] = "restrict processing (Art. 18)"
    kind: Literal["restrict"] = "restrict"
    ground: RestrictionGround = Field(description="Art. 18(1) ground")


class LiftRestriction(_SubjectCommand):
    help: ClassVar[str] = "lift a restriction of processing"
    kind: Literal["lift-restriction"] = "lift-restriction"


class RecordProcessing(_SubjectCommand):
    help: ClassVar[str] = "record a use of data for a purpose (e.g. newsletter sent)"
    kind: Literal["process"] = "process"
    purpose: Identifier = Field(description="purpose (policy)")
    categories: Ids = Field(description="categories used")
    activity: Identifier = Field(description="what was done (newsletter_sent, …)")
    legal_basis: LegalBasis | None = Field(
        default=None, description="legal basis (default: the purpose's)"
    )
    recipient: Identifier | None = Field(
        default=None, description="processor that did it, if any"
    )


class RecordDisclosure(_SubjectCommand):
    help: ClassVar[str] = (
        "record a disclosure to a recipient (a transfer if outside EU/EEA)"
    )
    kind: Literal["disclose"] = "disclose"
    recipient: Identifier = Field(description="recipient (policy)")
    categories: Ids = Field(description="categories disclosed")
    purpose: Identifier = Field(description="purpose (policy)")
    legal_basis: LegalBasis | None = Field(
        default=None, description="legal basis (default: the purpose's)"
    )
    reference: ClearRef | None = Field(default=None, description="e.g. order number")


class RecordTransfer(_SubjectCommand):
    help: ClassVar[str] = "record a transfer outside the EU/EEA with its safeguard"
    kind: Literal["transfer"] = "transfer"
    recipient: Identifier = Field(description="recipient (policy)")
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = Field(
        description="destination country (ISO 3166 alpha-2)"
    )
    safeguard: Safeguard | None = Field(default=None, description="Art. 45-49 ground")
    categories: Ids = Field(description="categories transferred")
    purpose: Identifier = Field(description="purpose (policy)")
    legal_basis: LegalBasis | None = Field(
        default=None, description="legal basis (default: the purpose's)"
    )
    reference: ClearRef | None = Field(default=None, description="e.g. order number")


class StartRelationship(_SubjectCommand):
    help: ClassVar[str] = "record that the person's company became a customer"
    kind: Literal["start-relationship"] = "start-relationship"
    reference: ClearRef | None = Field(default=None, description="contract reference")


class EndRelationship(_SubjectCommand):
    help: ClassVar[str] = "record that the customer relationship ended"
    kind: Literal["end-relationship"] = "end-relationship"
    reference: ClearRef | None = Field(default=None, description="contract reference")


class MarkLeftCompany(_SubjectCommand):
    help: ClassVar[str] = "mark that the person left the company they represented"
    kind: Literal["left"] = "left"


class RecordInformed(_SubjectCommand):
    help: ClassVar[str] = (
        "record that a person collected from another source was informed (Art. 14)"
    )
    kind: Literal["informed"] = "informed"
    channel: Identifier = Field(description="how (email, post, …)")
    reference: ClearRef | None = Field(default=None, description="e.g. the notice sent")


class ReceiveRequest(_SubjectCommand):
    help: ClassVar[str] = "record a data-subject request received"
    kind: Literal["request"] = "request"
    type: RequestType = Field(description="what is asked")
    channel: Identifier = Field(description="how it came (policy rights.channels)")
    received_on: Day | None = Field(
        default=None, description="day received (default: at)"
    )
    request_id: RequestId | None = Field(
        default=None, description="your reference (default: generated)"
    )


class _RequestCommand(_Command):
    request_id: RequestId = Field(description="the request's reference")


class ExtendRequest(_RequestCommand):
    help: ClassVar[str] = "extend a request's deadline by up to two months (Art. 12(3))"
    kind: Literal["extend-request"] = "extend-request"
    reason: Reason = Field(description="why (told to the person)")
    reason_fi: Reason | None = Field(
        default=None, description="the reason in Finnish, for Finnish answers"
    )
    months: int = Field(default=2, ge=1, le=2, description="months added")


class FindRequestExcessive(_RequestCommand):
    help: ClassVar[str] = (
        "record a reasoned decision that a request is manifestly unfounded"
        " or excessive (Art. 12(5)): a fee may then be charged"
    )
    kind: Literal["excessive-request"] = "excessive-request"
    reason: Reason = Field(description="why (told to the person)")
    reason_fi: Reason | None = Field(
        default=None, description="the reason in Finnish, for Finnish answers"
    )


class AnswerRequest(_RequestCommand):
    help: ClassVar[str] = "record that a request was answered"
    kind: Literal["answer-request"] = "answer-request"


class RefuseRequest(_RequestCommand):
    help: ClassVar[str] = "record that a request was refused, and why"
    kind: Literal["refuse-request"] = "refuse-request"
    reason: Reason = Field(description="the grounds (told to the person)")
    reason_fi: Reason | None = Field(
        default=None, description="the grounds in Finnish, for Finnish answers"
    )


class PlaceLegalHold(_SubjectCommand):
    help: ClassVar[str] = "keep all of a subject's data: a complaint or dispute is open"
    kind: Literal["hold"] = "hold"
    reason: Reason = Field(
        description="the complaint, dispute or claim (no personal data)"
    )


class ReleaseLegalHold(_SubjectCommand):
    help: ClassVar[str] = "release a legal hold: the dispute is resolved"
    kind: Literal["release-hold"] = "release-hold"
    reason: Reason = Field(description="how it was resolved")


class EraseSubject(_SubjectCommand):
    help: ClassVar[str] = (
        "erase a subject (Art. 17): destroy its data keys per the policy"
    )
    kind: Literal["erase"] = "erase"
    request_id: RequestId | None = Field(
        default=None, description="the erasure request answered"
    )
    remove_objection: bool = Field(
        default=False,
        description="also forget a marketing objection (only if the person asks)",
    )


class AcknowledgeFinding(_Command):
    help: ClassVar[str] = (
        "acknowledge a finding with a note of what was done (the finding stays)"
    )
    kind: Literal["acknowledge-finding"] = "acknowledge-finding"
    finding_id: int = Field(
        ge=1, le=2**62, description="the finding's id (its sequence number)"
    )
    note: Note = Field(description="what was done about it (no personal data)")


COMMANDS: tuple[type[_Command], ...] = (
    RegisterSubject,
    CollectData,
    RectifyData,
    GiveConsent,
    WithdrawConsent,
    RecordObjection,
    LiftObjection,
    RestrictProcessing,
    LiftRestriction,
    RecordProcessing,
    RecordDisclosure,
    RecordTransfer,
    StartRelationship,
    EndRelationship,
    MarkLeftCompany,
    RecordInformed,
    ReceiveRequest,
    ExtendRequest,
    FindRequestExcessive,
    AnswerRequest,
    RefuseRequest,
    PlaceLegalHold,
    ReleaseLegalHold,
    EraseSubject,
    AcknowledgeFinding,
)

Command = Annotated[
    RegisterSubject
    | CollectData
    | RectifyData
    | GiveConsent
    | WithdrawConsent
    | RecordObjection
    | LiftObjection
    | RestrictProcessing
    | LiftRestriction
    | RecordProcessing
    | RecordDisclosure
    | RecordTransfer
    | StartRelationship
    | EndRelationship
    | MarkLeftCompany
    | RecordInformed
    | ReceiveRequest
    | ExtendRequest
    | FindRequestExcessive
    | AnswerRequest
    | RefuseRequest
    | PlaceLegalHold
    | ReleaseLegalHold
    | EraseSubject
    | AcknowledgeFinding,
    Field(discriminator="kind"),
]

_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)
_KINDS = tuple(str(c.model_fields["kind"].default) for c in COMMANDS)


def parse_command(data: dict[str, Any] | str | bytes) -> Command:
    """One command from a dict or JSON; malformed input names its field."""
    try:
        if isinstance(data, dict):
            return _ADAPTER.validate_python(data)
        return _ADAPTER.validate_json(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(part) for part in first["loc"]]
        # The first location is the union's tag; the field follows it.
        field = loc[1] if len(loc) > 1 else (loc[0] if loc else "command")
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # Pydantic's text repeats the given kind: never echo input.
            field, message = "kind", f"must be one of {', '.join(_KINDS)}"
        raise InvalidCommand(field, message) from err
