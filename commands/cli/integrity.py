"""Integrity verbs: checkpoint(s), keys, verify, prove, verify-proof, projections."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.cli.common import (
    EX_FAIL,
    EX_OK,
    OutputFailed,
    file_name,
    progress,
    read_input,
    write_output,
)
from commands.output import counted
from commands.service import Kirjuri
from ledger.clock import local_text
from ledger.errors import InvalidCommand

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings

__all__ = ["add_verbs", "public_key"]

MAX_PROBLEMS = 50  # one line each; beyond, counted


def add_verbs(sub: Any, **kw: Any) -> None:
    cp = sub.add_parser(
        "checkpoint", description="sign the ledger's Merkle root now", **kw
    )
    cp.set_defaults(handler=run_checkpoint)

    cps = sub.add_parser(
        "checkpoints", description="list signed checkpoints, or export them", **kw
    )
    cps.add_argument(
        "--export", type=file_name, metavar="DIR", help="write each as a file into DIR"
    )
    cps.set_defaults(handler=run_checkpoints)

    keys = sub.add_parser(
        "keys",
        description="keys: print the public key for auditors, rotate the master "
        "key, or rotate the checkpoint signing key",
        **kw,
    )
    keys.add_argument("action", choices=("public", "rotate", "rotate-signing"))
    keys.add_argument(
        "--new-key-file",
        type=lambda text: Path(file_name(text)),
        metavar="FILE",
        help="rotate, rotate-signing: where to write the new key (default: its file)",
    )
    keys.add_argument(
        "--all", action="store_true", help="public: every key, from its tree size"
    )
    keys.set_defaults(handler=run_keys)

    verify = sub.add_parser(
        "verify", description="prove the stored events were not altered", **kw
    )
    verify.add_argument("--from", dest="start", type=int, metavar="SEQ")
    verify.add_argument("--to", dest="end", type=int, metavar="SEQ")
    verify.add_argument(
        "--incremental",
        action="store_true",
        help="only events after the last clean verify",
    )
    verify.add_argument(
        "--checkpoint",
        type=file_name,
        action="append",
        default=[],
        metavar="FILE",
        help="a checkpoint kept outside the database (repeatable)",
    )
    keeping = verify.add_mutually_exclusive_group()
    keeping.add_argument(
        "--witness",
        type=lambda text: Path(file_name(text)),
        metavar="DIR",
        help="where the newest verified checkpoint is kept (default: beside "
        "the signing key file, or KIRJURI_WITNESS)",
    )
    keeping.add_argument(
        "--no-witness",
        action="store_true",
        help="neither read nor advance the witness",
    )
    verify.add_argument(
        "--read-models",
        action="store_true",
        help="also rebuild every read model from the log and compare",
    )
    verify.set_defaults(handler=run_verify)

    witness = sub.add_parser(
        "witness",
        description="an auditor's witness: the newest checkpoint must extend "
        "the one seen before, then it is kept",
        **kw,
    )
    witness.add_argument(
        "--dir",
        required=True,
        type=lambda text: Path(file_name(text)),
        metavar="DIR",
        help="the witness's folder (made if missing)",
    )
    witness.add_argument(
        "--public-key", help="key string or a file of it (default: the ledger's)"
    )
    witness.set_defaults(handler=run_witness)

    prove = sub.add_parser(
        "prove", description="write an evidence file for a third party", **kw
    )
    target = prove.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--sequence", type=int, help="one event, by its sequence number"
    )
    target.add_argument("--subject", help="every event of a subject")
    prove.add_argument(
        "--hashes-only", action="store_true", help="leave stored bytes out"
    )
    prove.add_argument(
        "-o",
        "--output",
        type=file_name,
        metavar="FILE",
        help="write to FILE (- for stdout)",
    )
    prove.set_defaults(handler=run_prove)

    check = sub.add_parser(
        "verify-proof", description="check an evidence file, no database", **kw
    )
    check.add_argument("file", type=file_name, help="the evidence file, or - for stdin")
    required = check.add_argument_group("required options")
    required.add_argument(
        "--public-key", required=True, help="key string or a file of it"
    )
    check.set_defaults(handler=run_verify_proof)

    proj = sub.add_parser(
        "projections", description="read models: status or rebuild", **kw
    )
    proj.add_argument("action", choices=("status", "rebuild", "catch-up"))
    proj.set_defaults(handler=run_projections)


def run_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        stored = kirjuri.checkpoint()
    sys.stdout.write(stored.checkpoint.note)
    return EX_OK


def run_checkpoints(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        stored = kirjuri.checkpoints()
    if args.export is None:
        for item in stored:
            c = item.checkpoint
            print(f"{c.size}\t{local_text(c.timestamp)}\t{c.root.hex()}")
        return EX_OK
    folder = Path(args.export)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for item in stored:
            path = folder / f"checkpoint-{item.checkpoint.size:012d}.txt"
            path.write_text(item.checkpoint.note, encoding="utf-8")
    except OSError as err:
        raise OutputFailed("export", args.export, err.strerror) from err
    print(f"wrote {len(stored)} checkpoints to {args.export}", file=sys.stderr)
    return EX_OK


def run_keys(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        if args.action == "public":
            if not args.all:
                print(kirjuri.public_key())
            for start, key in kirjuri.public_keys() if args.all else ():
                print(f"{start}\t{key}")
            return EX_OK
        if args.action == "rotate-signing":
            signing = kirjuri.rotate_signing_key(args.new_key_file)
            print(signing.model_dump_json())
            if settings.signing_key is not None:
                print(
                    "kirjuri: set KIRJURI_SIGNING_KEY from the new key file",
                    file=sys.stderr,
                )
            return EX_OK
        rotation = kirjuri.rotate_master_key(args.new_key_file)
    print(rotation.model_dump_json())
    if settings.master_key is not None:
        print("kirjuri: set KIRJURI_MASTER_KEY from the new key file", file=sys.stderr)
    return EX_OK


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    notes = [read_input(path, "checkpoint") for path in args.checkpoint]
    with Kirjuri.open(settings) as kirjuri:
        result = kirjuri.verify(
            start=args.start,
            end=args.end,
            incremental=args.incremental,
            checkpoints=notes,
            witness=args.witness,
            use_witness=not args.no_witness,
            read_models=args.read_models,
            progress=progress(args, "verify"),
        )
    for problem in result.problems[:MAX_PROBLEMS]:
        print(f"kirjuri: verify: {problem}", file=sys.stderr)
    if len(result.problems) > MAX_PROBLEMS:
        more = len(result.problems) - MAX_PROBLEMS
        print(f"kirjuri: verify: … and {more} more problems", file=sys.stderr)
    verdict = "verified" if result.ok else "FAILED"
    extra = ""
    if result.read_models is not None:
        extra += f", {result.read_models} read models compared"
    if result.witnessed is not None or result.recorded is not None:
        extra += f", witness at {result.recorded or result.witnessed}"
    print(
        f"{verdict}: {result.events} events, {result.checkpoints} checkpoints, "
        f"{len(result.problems)} problems{extra}"
    )
    return EX_OK if result.ok else EX_FAIL


def run_witness(args: argparse.Namespace, settings: Settings) -> int:
    key = None if args.public_key is None else public_key(args.public_key)
    with Kirjuri.open(settings) as kirjuri:
        run = kirjuri.witness(args.dir, key)
    for problem in run.problems:
        print(f"kirjuri: witness: {problem}", file=sys.stderr)
    if not run.ok:
        print(f"FAILED: {counted(len(run.problems), 'problem')}")
        return EX_FAIL
    if run.checkpoint is None:
        print("nothing to witness: no checkpoint yet")
    elif run.previous is None:
        print(f"witnessed: checkpoint {run.checkpoint} (the first seen)")
    else:
        print(
            f"witnessed: checkpoint {run.checkpoint} extends checkpoint "
            f"{run.previous} (consistency proof checked)"
        )
    return EX_OK


def run_prove(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        evidence = kirjuri.prove(
            subject=args.subject, sequence=args.sequence, hashes_only=args.hashes_only
        )
    write_output(
        evidence.model_dump_json(indent=2),
        args.output,
        f": {len(evidence.events)} events",
    )
    return EX_OK


def public_key(text: str) -> str:
    """The key itself, or the file it was saved to (keys public > ledger.pub)."""
    path = Path(text)
    if "+" not in text and "\x00" not in text and path.exists():
        return read_input(text, "public-key")
    return text


def run_verify_proof(args: argparse.Namespace, settings: Settings) -> int:
    text = read_input(args.file)
    try:
        evidence = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidCommand("file", f"{args.file}: not JSON: {err.msg}") from err
    check = Kirjuri.verify_proof(evidence, public_key(args.public_key))
    for problem in check.problems:
        print(f"kirjuri: verify-proof: {problem}", file=sys.stderr)
    if not check.ok:
        print(f"FAILED: {counted(len(check.problems), 'problem')}")
        return EX_FAIL
    note = (
        f" ({check.by_hash_only} by leaf hash only: stream, version, name unchecked)"
        if check.by_hash_only
        else ""
    )
    events = counted(check.events, "event")
    print(f"verified: {events} in checkpoint of {check.signer}{note}")
    return EX_OK


def run_projections(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        if args.action == "rebuild":
            count = kirjuri.rebuild(progress(args, "rebuild"))
            print(f"rebuilt from {count} events")
        elif args.action == "catch-up":
            print(f"applied {kirjuri.catch_up(progress(args, 'catch-up'))} events")
        status = kirjuri.projection_status()
    for name, position in status.positions.items():
        print(f"{name}: {position}/{status.head}")
    for fault in status.faults:
        print(f"{fault.model}: skipped event {fault.notification_id} ({fault.error})")
    return EX_OK
