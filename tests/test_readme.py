"""The README's tour runs as written, on both backends, so it cannot rot."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent


def tour_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## A short tour\n\n```sh\n(.*?)```", readme, re.S)
    assert block is not None, "README has no tour"
    joined = block.group(1).replace("\\\n", " ")
    commands = [shlex.split(line, comments=True) for line in joined.splitlines()]
    return [c for c in commands if c]


def test_readme_tour_runs_as_written(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    for folder in ("policies", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    commands = tour_commands()
    assert len(commands) >= 10
    for command in commands:
        assert command[0] == "kirjuri"
        code, _, err = cli(*command[1:])
        assert code == 0, (command, err)
    assert (
        (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    )
