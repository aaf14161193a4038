"""Verbs generated from the command models (commands.models): the CLI, feeds
and the Python API accept exactly the same input. Enum fields list their
choices in --help; required fields are marked and grouped."""

from __future__ import annotations

import enum
import json
import types
import typing
from typing import TYPE_CHECKING, Any, Literal, Union

from commands import models
from commands.cli.common import EX_OK
from commands.service import Kirjuri

if TYPE_CHECKING:
    import argparse

    from pydantic.fields import FieldInfo

    from commands.bootstrap import Settings

__all__ = ["add_command_verb", "choices_of"]


def _members(annotation: Any) -> list[Any]:
    """The annotation without Optional/Annotated wrappers."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, typing.Annotated):
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            args = args[:1]
        return [m for arg in args for m in _members(arg) if m is not type(None)]
    return [annotation]


def _is_tuple(annotation: Any) -> bool:
    return any(typing.get_origin(m) is tuple for m in _members(annotation))


def choices_of(annotation: Any) -> list[str] | None:
    """The values a Literal or Enum field accepts, else None."""
    found: list[str] = []
    for member in _members(annotation):
        if typing.get_origin(member) is Literal:
            found.extend(str(v) for v in typing.get_args(member))
        elif isinstance(member, type) and issubclass(member, enum.Enum):
            found.extend(str(m.value) for m in member)
        else:
            return None
    return found or None


def add_command_verb(subparsers: Any, model: type[models._Command], **kw: Any) -> str:
    kind: str = model.model_fields["kind"].default
    parser = subparsers.add_parser(kind, description=model.help, **kw)
    positional = next(
        (name for name in ("subject", "request_id") if name in model.model_fields), None
    )
    required = parser.add_argument_group("required options")
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        if name == positional:
            parser.add_argument(name, help=info.description or "")
            continue
        target = required if info.is_required() else parser
        _add_field(target, name, info)
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    if kind == "erase":
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="say what would go and stay; write nothing",
        )
    parser.set_defaults(handler=run_command, command_kind=kind, command_model=model)
    return kind


# Fields that name an id of the adopted policy: where to look the ids up.
POLICY_LISTS = {
    "purpose": "purposes",
    "purposes": "purposes",
    "recipient": "recipients",
    "category": "categories",
    "categories": "categories",
    "source": "sources",
}


def _add_field(parser: Any, name: str, info: FieldInfo) -> None:
    help_text = info.description or ""
    if name in POLICY_LISTS:
        help_text += f"; see: kirjuri policy show {POLICY_LISTS[name]}"
    flag = "--" + name.replace("_", "-")
    if info.annotation is bool:
        parser.add_argument(
            flag, dest=name, action="store_true", default=None, help=help_text
        )
        return
    options: dict[str, Any] = {"dest": name, "required": info.is_required()}
    allowed = choices_of(info.annotation)
    if allowed is not None:
        options["choices"] = allowed
        options["metavar"] = "{" + ",".join(allowed) + "}"
    else:
        options["metavar"] = name.upper()
    if _is_tuple(info.annotation):
        options["action"] = "append"
        help_text += " (repeat, or comma-separate)"
    parser.add_argument(flag, help=help_text, **options)


def _command_data(args: argparse.Namespace) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": args.command_kind}
    for name in args.command_model.model_fields:
        value = getattr(args, name, None)
        if value is None or name == "kind":
            continue
        if isinstance(value, list):
            value = [
                part.strip()
                for item in value
                for part in item.split(",")
                if part.strip()
            ]
        data[name] = value
    return data


def _print_outcome(outcome: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(outcome.as_dict()))
        return
    recorded = ", ".join(e.STORED_NAME for e in outcome.events)
    if outcome.duplicate:
        recorded = "nothing: a duplicate of a command already recorded"
    print(f"{outcome.subject_id}: recorded {recorded}")
    if outcome.request_id:
        print(f"request: {outcome.request_id}")
    for finding in outcome.findings:
        print(f"finding: {finding.rule}: {finding.detail}")
    if outcome.scrub_pending:
        print(f"scrub: {outcome.as_dict()['scrub']}")


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    command = models.parse_command(_command_data(args))
    with Kirjuri.open(settings) as kirjuri:
        if isinstance(command, models.EraseSubject) and args.dry_run:
            preview = kirjuri.preview_erasure(
                command.subject, remove_objection=command.remove_objection
            )
            print(preview.model_dump_json(indent=2))
            return EX_OK
        _print_outcome(kirjuri.execute(command), args.json)
    return EX_OK
