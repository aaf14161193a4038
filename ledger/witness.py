"""A witness: the newest verified checkpoint, kept outside the database.

Whoever can write the database can delete checkpoints, or the newest events
together with their checkpoints, and leave a smaller log that is consistent
with itself. A witness remembers the largest tree it has seen verified (as
transparency-log witnesses do) and refuses a smaller one, or one that does
not extend it, without being handed anything.

State is a folder, one subfolder per ledger (its origin), one signed note
per checkpoint seen, named as ``kirjuri checkpoints --export`` names them::

    <folder>/kirjuri_6f1c…/checkpoint-000000000058.txt

The newest is the largest. Plain files, so an auditor can keep the folder
anywhere (another machine, a git repository, write-once storage).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.checkpoints import NoteError, parse_checkpoint
from ledger.errors import KirjuriError

if TYPE_CHECKING:
    from ledger.checkpoints import Checkpoint

__all__ = ["Witness", "WitnessError"]

_NAME = re.compile(r"checkpoint-(\d{1,20})\.txt")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class WitnessError(KirjuriError):
    """The witness folder cannot be read or written."""

    exit_code = 74  # EX_IOERR


class Witness:
    def __init__(self, folder: Path, origin: str) -> None:
        self.folder = folder
        self.origin = origin
        self.logs = folder / _UNSAFE.sub("_", origin)

    def sizes(self) -> list[int]:
        """Tree sizes of the checkpoints seen, ascending."""
        try:
            names = [entry.name for entry in self.logs.iterdir()]
        except FileNotFoundError:
            return []
        except OSError as err:
            raise WitnessError(f"witness: {self.logs}: {err.strerror}") from err
        found = (_NAME.fullmatch(name) for name in names)
        return sorted(int(match.group(1)) for match in found if match)

    def latest(self) -> Checkpoint | None:
        """The largest checkpoint seen, or None on a first run."""
        sizes = self.sizes()
        if not sizes:
            return None
        path = self._path(sizes[-1])
        try:
            checkpoint = parse_checkpoint(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, NoteError) as err:
            raise WitnessError(f"witness: {path}: not a checkpoint: {err}") from err
        if checkpoint.size != sizes[-1] or checkpoint.origin != self.origin:
            raise WitnessError(f"witness: {path}: holds another checkpoint")
        return checkpoint

    def record(self, checkpoint: Checkpoint) -> None:
        """Keep a checkpoint seen verified: written whole, then renamed."""
        path = self._path(checkpoint.size)
        try:
            self.logs.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.logs, prefix=".pending-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(checkpoint.note)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(path)
        except OSError as err:
            raise WitnessError(
                f"witness: {self.folder}: cannot write: {err.strerror}"
            ) from err

    def _path(self, size: int) -> Path:
        return self.logs / f"checkpoint-{size:012d}.txt"
