"""The README's tour and Python example run as written, on both backends,
so they cannot rot."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

    from commands.bootstrap import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(heading: str, language: str) -> str:
    found = re.search(
        rf"{heading}\n\n(?:.*?\n\n)*?```{language}\n(.*?)```", README, re.S
    )
    assert found is not None, f"README has no {language} block under {heading!r}"
    return found.group(1)


def commands_of(text: str) -> list[list[str]]:
    joined = text.replace("\\\n", " ")
    commands = [shlex.split(line, comments=True) for line in joined.splitlines()]
    return [c for c in commands if c]


def test_readme_tour_runs_as_written(
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for folder in ("policies", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    tour = commands_of(block("## A short tour", "sh"))
    erasure = commands_of(block("### Erasure, retention and keys", "sh"))
    assert len(tour) >= 10 and len(erasure) >= 6
    # `keys rotate` replaces the key file: the master key comes from one here.
    key_file = tmp_path / "master.key"
    key_file.write_text(settings.master_key or "")
    key_file.chmod(0o600)
    monkeypatch.delenv("KIRJURI_MASTER_KEY")
    monkeypatch.setenv("KIRJURI_MASTER_KEY_FILE", str(key_file))
    for command in tour + erasure:
        assert command[0] == "kirjuri"
        code, _, err = cli(*command[1:])
        assert code == 0, (command, err)
    assert (
        (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    )


def test_readme_python_example_runs_against_a_fresh_ledger(
    cli: Callable[..., tuple[int, str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    # The cli fixture points the environment at a fresh ledger of the backend.
    exec(compile(block("## Python API", "python"), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("SubjectRegistered")
    assert printed[-1] == "consent_required"
