"""Many writers at once: N `kirjuri apply` processes on shared subjects.

    python -m bench.writers [--writers 8] [--commands 200] [--subjects 12]
                            [--batch-size 10] [--postgres URL]

The subjects are registered first; then every writer feeds its own commands
(disclosures with their own command ids) to all of them at once. Counts the
writers that died, the lines lost or doubled, the lines rejected, and checks
that verify passes and the read models equal a rebuild.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bench.interrupted import (
    ROOT,
    _settings,
    environment,
    init,
    read_models,
    story,
    verified,
)
from commands.service import Kirjuri

if TYPE_CHECKING:
    from commands.bootstrap import Settings

__all__ = ["feeds", "start_writers"]


def _email(subject: int) -> str:
    return f"shared{subject}@writers.example"


def feeds(
    folder: Path, writers: int, commands: int, subjects: int, settings: Settings
) -> list[Path]:
    """Register the shared subjects; one feed file per writer."""
    with Kirjuri.open(settings) as kirjuri:
        for subject in range(subjects):
            kirjuri.apply(
                [
                    json.dumps(
                        {
                            "kind": "register",
                            "company": "Jaettu Oy",
                            "email": _email(subject),
                            "source": "subject",
                            "at": "2025-01-02",
                        }
                    )
                ]
            )
    paths = []
    for writer in range(writers):
        path = folder / f"writer{writer}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for line in range(commands):
                command = {
                    "kind": "disclose",
                    "command_id": f"w{writer}-{line}",
                    "subject": _email((line + writer) % subjects),
                    "recipient": "delivery_partner",
                    "categories": ["name"],
                    "purpose": "order_delivery",
                    "at": f"2025-02-{1 + line % 28:02d}T{writer % 24:02d}:00",
                }
                handle.write(json.dumps(command) + "\n")
        paths.append(path)
    return paths


def start_writers(
    settings: Settings, paths: list[Path], batch_size: int
) -> list[tuple[int, str, str]]:
    """Run one `kirjuri apply` per feed, all at once; (exit, stdout, stderr)."""
    env = environment(settings)
    env["KIRJURI_LOG_LEVEL"] = "warning"
    # The witness beside the feeds, never in the working folder.
    env["KIRJURI_WITNESS"] = str(settings.witness_dir)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "commands.cli",
                "apply",
                str(path),
                "--batch-size",
                str(batch_size),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for path in paths
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        results.append((process.returncode, out.decode(), err.decode()))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--subjects", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--postgres", help="server URL (default: SQLite)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = replace(
            _settings(args.postgres, folder), witness_path=folder / "witness"
        )
        init(settings)
        paths = feeds(folder, args.writers, args.commands, args.subjects, settings)
        started = time.perf_counter()
        results = start_writers(settings, paths, args.batch_size)
        seconds = time.perf_counter() - started
        with Kirjuri.open(settings) as kirjuri:
            receipts = [e[1] for e in story(kirjuri) if e[0] == "receipt"]
            written = [r for r in receipts if r.startswith("w")]
            wanted = {
                f"w{w}-{i}" for w in range(args.writers) for i in range(args.commands)
            }
            ok = verified(kirjuri)
            kirjuri.catch_up()
            before = read_models(kirjuri)
            kirjuri.projector.rebuild()
            rebuilt = read_models(kirjuri) == before
        print(
            json.dumps(
                {
                    "backend": "postgres" if args.postgres else "sqlite",
                    "writers": args.writers,
                    "commands": args.commands,
                    "subjects": args.subjects,
                    "seconds": round(seconds, 1),
                    "died": sum(code != 0 for code, _, _ in results),
                    "lost": len(wanted - set(written)),
                    "doubled": len(written) - len(set(written)),
                    "rejected": sum(err.count("kirjuri: ") for _, _, err in results),
                    "verify": ok,
                    "read_models_equal_rebuild": rebuilt,
                    "errors": sorted(
                        {
                            line[:100]
                            for _, _, err in results
                            for line in err.splitlines()
                            if line.startswith("kirjuri:")
                        }
                    )[:5],
                }
            )
        )


if __name__ == "__main__":
    main()
