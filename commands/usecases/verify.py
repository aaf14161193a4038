"""``verify``: the log against its checkpoints, a witness, and the read models.

Verify trusts the stored events, the signed checkpoints and the public key,
and nothing the read models say: it never catches them up before checking
(an event that does not decode cannot stop it), only the Merkle log, whose
leaves it reads to name the first event that differs. A witness kept
outside the database (the newest checkpoint verified) catches checkpoints
deleted, or the newest events truncated with their checkpoints. With
``read_models`` every read model is rebuilt from the log and compared with
the tables that history, reports and queries read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from commands.usecases.integrity import check_sequence_range, parse_external
from ledger import clock
from ledger.clock import local_text
from ledger.errors import InvalidCommand
from ledger.integrity import verify_consistency
from ledger.verification import Problem, verify_ledger
from ledger.witness import Witness
from projections.compare import compare_read_models
from projections.merkle import MerkleModel
from projections.runner import Projector, default_models

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from commands.service import Kirjuri
    from ledger.checkpoints import Checkpoint, Verifier
    from ledger.verification import Verification
    from projections.runner import Progress

__all__ = [
    "VerifyRequest",
    "WitnessRun",
    "catch_up_merkle",
    "mend_merkle",
    "verify",
    "witness",
]

# Concurrent writers may move the read models while they are compared.
COMPARE_ATTEMPTS = 3


@dataclass(frozen=True)
class VerifyRequest:
    start: int | None = None
    end: int | None = None
    incremental: bool = False
    checkpoints: Sequence[str] = ()  # signed notes kept outside the database
    witness: Path | None = None  # None: the settings' witness folder
    use_witness: bool = True
    read_models: bool = False


def verify(
    kirjuri: Kirjuri, request: VerifyRequest, progress: Progress | None
) -> Verification:
    """Every stored event against the signed checkpoints (stored, given and
    witnessed); then, if asked, the read models against a rebuild."""
    start, end = request.start, request.end
    check_sequence_range(start, end)
    if request.read_models and (start, end, request.incremental) != (None, None, False):
        raise InvalidCommand(
            "read-models",
            "checks the whole log: not with --from, --to or --incremental",
        )
    given = parse_external(request.checkpoints)
    behind = catch_up_merkle(kirjuri)
    stored = [s.checkpoint for s in kirjuri.notary.all()]
    keeper = None
    if request.use_witness:
        folder = request.witness or kirjuri.settings.witness_dir
        keeper = Witness(folder, kirjuri.origin)
    witnessed = keeper.latest() if keeper is not None else None
    checkpoints = stored + given
    if witnessed is not None and witnessed.note not in {c.note for c in stored}:
        checkpoints.append(witnessed)
    if request.incremental:
        start = (kirjuri.notary.last_verified() or 0) + 1
    result = verify_ledger(
        kirjuri.ledger,
        kirjuri.merkle,
        checkpoints,
        kirjuri.signer().verifier,
        kirjuri.origin,
        start=start,
        end=end,
        progress=progress,
    )
    if behind is not None:
        result.problems.insert(0, behind)
    elif start is None and end is None:
        _check_merkle_size(kirjuri, result)
    if witnessed is not None:
        result.witnessed = witnessed.size
        _check_witnessed(result, stored, witnessed)
    if request.read_models:
        _check_read_models(kirjuri, result, progress)
    if not result.ok or (start is None and end is None):
        # Only a run over the whole log clears a failed one: a clean partial
        # run says nothing of the part it did not read.
        kirjuri.notary.remember_verify_run(
            clock.now(), len(result.problems), result.last_sequence
        )
    if result.ok and end is None:
        _remember(kirjuri, result, keeper, checkpoints, witnessed)
    return result


def _remember(
    kirjuri: Kirjuri,
    result: Verification,
    keeper: Witness | None,
    checkpoints: list[Checkpoint],
    witnessed: Checkpoint | None,
) -> None:
    """What a clean run leaves behind: how far it reached, when the read
    models were last found equal to the log, the witness advanced."""
    if result.last_sequence is not None:
        kirjuri.notary.remember_verified(result.last_sequence)
    if result.read_models is not None:
        kirjuri.notary.remember_models_checked(result.events, clock.now())
    mine = [c for c in checkpoints if c.origin == kirjuri.origin]
    newest = max(mine, key=lambda c: c.size, default=None)
    if keeper is None or newest is None:
        return
    if witnessed is None or newest.size > witnessed.size:
        keeper.record(newest)
        result.recorded = newest.size


def _check_witnessed(
    result: Verification, stored: list[Checkpoint], witnessed: Checkpoint
) -> None:
    """The stored checkpoints must reach at least the witnessed tree: fewer
    means checkpoints (and perhaps the events they covered) were removed.
    That the log extends the witnessed root is checked with the others."""
    newest = max((c.size for c in stored), default=0)
    if newest < witnessed.size:
        result.problems.append(
            Problem(
                "witness",
                f"the witness holds checkpoint {witnessed.size} "
                f"({local_text(witnessed.timestamp)}) but the newest stored "
                f"checkpoint covers {newest} events: checkpoints were removed",
                checkpoint=witnessed.size,
            )
        )


def _check_merkle_size(kirjuri: Kirjuri, result: Verification) -> None:
    """Leaves missing at the end of the cache (its tables emptied or cut)
    leave later events unpaired: said, not silently passed over."""
    size = kirjuri.merkle.size()
    if size < result.events and not any(p.kind == "inserted" for p in result.problems):
        result.problems.append(
            Problem(
                "merkle",
                f"the Merkle log holds {size} leaves for {result.events} stored "
                "events: its tables were cut; the next write or 'kirjuri "
                "checkpoint' recomputes them from the stored events",
            )
        )


def catch_up_merkle(kirjuri: Kirjuri) -> Problem | None:
    """Only the Merkle log is brought up to date (it reads stored bytes, no
    event is decoded); the other read models are never needed to verify."""
    merkle = Projector(kirjuri.ledger, (MerkleModel(kirjuri.ledger.notifications),))
    try:
        merkle.catch_up()
    except Exception as err:  # verify goes on from the stored log itself
        return Problem(
            "merkle",
            f"the Merkle log could not be brought up to date ({type(err).__name__});"
            " checked against the stored events alone",
        )
    return None


def mend_merkle(kirjuri: Kirjuri) -> None:
    """Before signing: Merkle tables cut short (emptied by hand) are
    recomputed from the stored events, never signed as they are. The notary
    then refuses a tree that does not extend its newest checkpoint."""
    model = MerkleModel(kirjuri.ledger.notifications)
    tracking = kirjuri.projector.tracking
    name = f"{kirjuri.ledger.name}/{model.name}"
    position = tracking.max_tracking_id(name) or 0
    database = kirjuri.ledger.database
    with database.transaction(commit=False) as cursor:
        whole = model.covers(cursor, position)
    if not whole:  # rare: a write transaction only when there is work
        with database.transaction() as cursor:
            model.mend(cursor, position)


def _check_read_models(
    kirjuri: Kirjuri, result: Verification, progress: Progress | None
) -> None:
    """Each read model against a rebuild from the log, up to the position
    the live models reached; again if a writer moved them meanwhile."""
    try:
        kirjuri.catch_up()
    except Exception as err:  # compared as they are
        result.problems.append(
            Problem(
                "read-model",
                f"read models could not be brought up to date ({type(err).__name__})",
            )
        )
    models = default_models(kirjuri.ledger)
    for _ in range(COMPARE_ATTEMPTS):
        positions = kirjuri.projector.positions()
        until = max(positions.values(), default=0)
        found = compare_read_models(kirjuri.ledger, models, until, progress)
        if kirjuri.projector.positions() == positions:
            break
        models = default_models(kirjuri.ledger)
    else:
        result.problems.append(
            Problem("read-model", "read models kept moving (writers): run again")
        )
        return
    result.read_models = len(models)
    result.problems.extend(Problem(d.kind, d.message, d.sequence) for d in found)
    # Snapshots are a stored cache of states too: each must fold from events.
    result.problems.extend(
        Problem(
            "snapshot",
            f"subject {subject}: its snapshot is not what its events fold to",
        )
        for subject in kirjuri.ledger.check_snapshots()
    )


@dataclass
class WitnessRun:
    checkpoint: int | None = None  # the newest stored checkpoint seen
    previous: int | None = None  # the witness's before this run
    recorded: bool = False
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def witness(kirjuri: Kirjuri, folder: Path, verifier: Verifier | None) -> WitnessRun:
    """An auditor's witness: the newest stored checkpoint must be signed and
    extend the one seen before (a consistency proof from the Merkle log,
    checked here); it is then kept. The events are not re-read: that is
    `verify`'s work."""
    keeper = Witness(folder, kirjuri.origin)
    seen = keeper.latest()
    verifier = verifier or kirjuri.signer().verifier
    catch_up_merkle(kirjuri)
    stored = kirjuri.notary.latest()
    run = WitnessRun(previous=None if seen is None else seen.size)
    if stored is None:
        if seen is not None:
            run.problems = (
                f"no stored checkpoint, but the witness holds checkpoint {seen.size}",
            )
        return run
    newest = stored.checkpoint
    run.checkpoint = newest.size
    problems = _witness_problems(kirjuri, verifier, seen, newest)
    run.problems = tuple(problems)
    if not problems and (seen is None or newest.size > seen.size):
        keeper.record(newest)
        run.recorded = True
    return run


def _witness_problems(
    kirjuri: Kirjuri, verifier: Verifier, seen: Checkpoint | None, newest: Checkpoint
) -> list[str]:
    problems = []
    for checkpoint in (seen, newest):
        if checkpoint is not None and not verifier.verifies(checkpoint):
            problems.append(
                f"checkpoint {checkpoint.size} is not signed by the key given"
            )
    if seen is None or problems:
        return problems
    if newest.size < seen.size:
        return [
            f"the newest stored checkpoint covers {newest.size} events, fewer "
            f"than the {seen.size} of the one witnessed: the log was cut"
        ]
    try:
        proof = kirjuri.merkle.consistency_proof(seen.size, newest.size)
    except LookupError:
        return [
            "the Merkle log lacks the nodes of a consistency proof (its tables "
            "were cut): 'kirjuri checkpoint' recomputes them; then run again"
        ]
    if not verify_consistency(seen.size, newest.size, seen.root, newest.root, proof):
        problems.append(
            f"checkpoint {newest.size} does not extend the witnessed checkpoint "
            f"{seen.size}: the log was rewritten"
        )
    return problems
