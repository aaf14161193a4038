"""Peak memory of import, rebuild and verify, each in its own process (so
one task's peak does not hide another's). SQLite only: the figure is the
Python process's, whatever the backend. Import is measured through the
command path at 100 k events; the 1 M-event ledger for rebuild and verify is
that import topped up with synthetic events (bench.integrity.fill).

``python -m bench.memory`` prints the table; ``run()`` returns it.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SIZES = (100_000, 1_000_000)
TASKS = ("import", "fill", "rebuild", "verify")
IMPORTED = 100_000


def _task(task: str, path: Path, size: int, keys: dict[str, str]) -> None:
    from bench.generate import generate  # noqa: PLC0415 - in the child only
    from bench.integrity import fill  # noqa: PLC0415
    from commands.bootstrap import Settings  # noqa: PLC0415
    from commands.logs import configure_logging  # noqa: PLC0415
    from commands.models import parse_command  # noqa: PLC0415
    from commands.service import Kirjuri  # noqa: PLC0415
    from ledger.verification import verify_ledger  # noqa: PLC0415

    configure_logging("warning")
    settings = Settings(sqlite_path=path, **keys)
    with Kirjuri.open(settings, create=task == "import") as kirjuri:
        if task == "import":
            policy = (
                Path(__file__).resolve().parent.parent
                / "policies"
                / "fluiconnecto.toml"
            )
            kirjuri.ledger.adopt_policy(policy.read_text(encoding="utf-8"), str(policy))
            commands = ((i, parse_command(c)) for i, c in enumerate(generate(size)))
            kirjuri.execute_many(commands)
            kirjuri.checkpoint()
        elif task == "fill":
            fill(kirjuri, size)
            kirjuri.catch_up()
            kirjuri.checkpoint()
        elif task == "rebuild":
            kirjuri.projector.rebuild()
        else:
            checkpoints = [s.checkpoint for s in kirjuri.notary.all()]
            result = verify_ledger(
                kirjuri.ledger,
                kirjuri.merkle,
                checkpoints,
                kirjuri.signer().verifier,
                kirjuri.origin,
            )
            assert result.ok, result.problems[:3]
        events = kirjuri.ledger.head()
    print(json.dumps({"events": events, "peak_rss_mb": round(peak_rss_mb())}))


def peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss would carry the parent's
    peak over fork and exec, and hide the child's."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    keys = {"master_key": secrets.token_hex(32), "signing_key": secrets.token_hex(32)}
    for size in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "memory.db"
            for task in TASKS:
                amount = min(size, IMPORTED) if task == "import" else size
                if task == "fill" and size <= IMPORTED:
                    continue
                print(f"memory: {task} at {amount}…", file=sys.stderr)
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.memory",
                        task,
                        str(path),
                        str(amount),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "BENCH_KEYS": json.dumps(keys)},
                )
                figure = json.loads(done.stdout.strip().splitlines()[-1])
                if task in ("import", "rebuild", "verify") and (
                    task != "import" or size <= IMPORTED
                ):
                    figures[f"{task}_{amount}_peak_rss_mb"] = figure["peak_rss_mb"]
    for task in ("rebuild", "verify"):
        small, large = (figures[f"{task}_{s}_peak_rss_mb"] for s in SIZES)
        figures[f"{task}_growth_1m_vs_100k"] = round(large / small, 2)
    return {"sqlite": figures, "postgres": {}}


if __name__ == "__main__":
    if len(sys.argv) == 4:
        _task(
            sys.argv[1],
            Path(sys.argv[2]),
            int(sys.argv[3]),
            json.loads(os.environ["BENCH_KEYS"]),
        )
    else:
        print(json.dumps(run(), indent=2))
