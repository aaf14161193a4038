"""Integrity verbs: checkpoint, checkpoints, keys, verify, prove, verify-proof."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.lifecycle import run_rotate
from commands.models import check_sequence_range
from commands.progress import progress_for
from commands.service import Kirjuri
from ledger.checkpoints import Verifier, parse_checkpoint
from ledger.errors import InvalidCommand
from ledger.evidence import FORMAT, verify_evidence
from ledger.verification import verify_ledger
from projections.reports.access import IntegrityEntry

if TYPE_CHECKING:
    import argparse

    from commands.bootstrap import Settings
    from ledger.checkpoints import Checkpoint

__all__ = ["add_integrity_verbs", "build_evidence", "integrity_entry"]

EX_OK, EX_FAIL = 0, 1


def add_integrity_verbs(sub: Any) -> None:
    cp = sub.add_parser("checkpoint", help="sign the ledger's Merkle root now")
    cp.set_defaults(handler=run_checkpoint)

    cps = sub.add_parser("checkpoints", help="list signed checkpoints, or export them")
    cps.add_argument("--export", type=Path, metavar="DIR", help="write each as a file")
    cps.set_defaults(handler=run_checkpoints)

    keys = sub.add_parser(
        "keys", help="keys: print the public key for auditors, or rotate the master key"
    )
    keys.add_argument("action", choices=("public", "rotate"))
    keys.add_argument(
        "--new-key-file",
        type=Path,
        metavar="FILE",
        help="rotate: where to write the new master key (default: the key file)",
    )
    keys.set_defaults(handler=run_keys)

    verify = sub.add_parser("verify", help="prove the stored events were not altered")
    verify.add_argument("--from", dest="start", type=int, metavar="SEQ")
    verify.add_argument("--to", dest="end", type=int, metavar="SEQ")
    verify.add_argument(
        "--incremental",
        action="store_true",
        help="only events after the last clean verify",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a checkpoint kept outside the database (repeatable)",
    )
    verify.set_defaults(handler=run_verify)

    prove = sub.add_parser("prove", help="write an evidence file for a third party")
    target = prove.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--sequence", type=int, help="one event, by its sequence number"
    )
    target.add_argument("--subject", help="every event of a subject")
    prove.add_argument(
        "--hashes-only", action="store_true", help="leave stored bytes out"
    )
    prove.add_argument("-o", "--output", type=Path)
    prove.set_defaults(handler=run_prove)

    check = sub.add_parser("verify-proof", help="check an evidence file, no database")
    check.add_argument("file", type=Path)
    check.add_argument("--public-key", required=True, help="key string or a file of it")
    check.set_defaults(handler=run_verify_proof)


def run_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        stored = kirjuri.checkpoint()
    sys.stdout.write(stored.checkpoint.note)
    return EX_OK


def run_checkpoints(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        stored = kirjuri.notary.all()
    if args.export is not None:
        args.export.mkdir(parents=True, exist_ok=True)
        for item in stored:
            path = args.export / f"checkpoint-{item.checkpoint.size:012d}.txt"
            path.write_text(item.checkpoint.note, encoding="utf-8")
        print(f"wrote {len(stored)} checkpoints to {args.export}", file=sys.stderr)
        return EX_OK
    for item in stored:
        c = item.checkpoint
        print(f"{c.size}\t{c.timestamp.isoformat()}\t{c.root.hex()}")
    return EX_OK


def run_keys(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "rotate":
        return run_rotate(args, settings)
    with Kirjuri.open(settings) as kirjuri:
        print(kirjuri.signer().verifier)
    return EX_OK


def _external(paths: list[Path]) -> list[Checkpoint]:
    found = []
    for path in paths:
        try:
            found.append(parse_checkpoint(path.read_text(encoding="utf-8")))
        except OSError as err:
            raise InvalidCommand("checkpoint", f"{path}: {err.strerror}") from err
    return found


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    check_sequence_range(args.start, args.end)
    external = _external(args.checkpoint)
    with Kirjuri.open(settings) as kirjuri:
        kirjuri.catch_up()
        checkpoints = [s.checkpoint for s in kirjuri.notary.all()] + external
        start = args.start
        if args.incremental:
            start = (kirjuri.last_verified() or 0) + 1
        result = verify_ledger(
            kirjuri.ledger,
            checkpoints,
            kirjuri.signer().verifier,
            kirjuri.origin,
            start=start,
            end=args.end,
            progress=progress_for("verify"),
        )
        if result.ok and args.end is None and result.last_sequence is not None:
            kirjuri.remember_verified(result.last_sequence)
    for problem in result.problems:
        print(f"kirjuri: verify: {problem}", file=sys.stderr)
    verdict = "verified" if result.ok else "FAILED"
    print(
        f"{verdict}: {result.events} events, {result.checkpoints} checkpoints, "
        f"{len(result.problems)} problems"
    )
    return EX_OK if result.ok else EX_FAIL


def build_evidence(
    kirjuri: Kirjuri, sequences: list[int], *, hashes_only: bool
) -> dict[str, Any]:
    """Events by sequence number, each with its inclusion proof, and the
    checkpoint (issued now if the newest does not cover them)."""
    stored = kirjuri.checkpoint()
    size = stored.checkpoint.size
    events = []
    for sequence in sequences:
        leaf = kirjuri.merkle.leaf(sequence)
        if leaf is None or leaf["leaf_index"] >= size:
            raise InvalidCommand("sequence", f"no event {sequence} in the Merkle log")
        found = kirjuri.ledger.notifications(sequence - 1, 1)
        state = None
        if found and found[0].id == sequence and not hashes_only:
            state = base64.b64encode(found[0].state).decode()
        events.append(
            {
                "sequence": sequence,
                "leaf_index": leaf["leaf_index"],
                "stream": leaf["stream"],
                "version": leaf["version"],
                "stored_name": leaf["topic"],
                "state": state,
                "leaf_hash": bytes(leaf["hash"]).hex(),
                "inclusion_proof": [
                    p.hex()
                    for p in kirjuri.merkle.inclusion_proof(leaf["leaf_index"], size)
                ],
            }
        )
    return {
        "format": FORMAT,
        "origin": kirjuri.origin,
        "public_key": str(kirjuri.signer().verifier),
        "checkpoint": stored.checkpoint.note,
        "events": events,
    }


def integrity_entry(kirjuri: Kirjuri, subject: str) -> IntegrityEntry:
    """The checkpoint a report is made at (signed now if events are newer)."""
    checkpoint = kirjuri.checkpoint().checkpoint
    return IntegrityEntry(
        origin=checkpoint.origin,
        tree_size=checkpoint.size,
        root=checkpoint.root.hex(),
        issued_at=checkpoint.timestamp,
        public_key=str(kirjuri.signer().verifier),
        subject_events=len(kirjuri.merkle.leaves_of(subject)),
    )


def run_prove(args: argparse.Namespace, settings: Settings) -> int:
    with Kirjuri.open(settings) as kirjuri:
        if args.subject is not None:
            subject = str(kirjuri.resolve(args.subject))
            kirjuri.catch_up()
            sequences = [
                row["notification_id"] for row in kirjuri.merkle.leaves_of(subject)
            ]
        else:
            sequences = [args.sequence]
        evidence = build_evidence(kirjuri, sequences, hashes_only=args.hashes_only)
    text = json.dumps(evidence, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {len(sequences)} events", file=sys.stderr)
    return EX_OK


def _verifier(text: str) -> Verifier:
    path = Path(text)
    if "+" not in text and path.exists():
        text = path.read_text(encoding="utf-8")
    return Verifier.parse(text)


def run_verify_proof(args: argparse.Namespace, settings: Settings) -> int:
    verifier = _verifier(args.public_key)
    try:
        evidence = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as err:
        raise InvalidCommand("file", f"{args.file}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise InvalidCommand("file", f"{args.file}: not JSON: {err}") from err
    if not isinstance(evidence, dict):
        raise InvalidCommand("file", f"{args.file}: not an evidence object")
    problems = verify_evidence(evidence, verifier)
    for problem in problems:
        print(f"kirjuri: verify-proof: {problem}", file=sys.stderr)
    if problems:
        print(f"FAILED: {len(problems)} problems")
        return EX_FAIL
    blind = sum(1 for e in evidence["events"] if e.get("state") is None)
    note = (
        f" ({blind} by leaf hash only: stream, version, name unchecked)"
        if blind
        else ""
    )
    count = len(evidence["events"])
    print(f"verified: {count} events in checkpoint of {verifier.name}{note}")
    return EX_OK
