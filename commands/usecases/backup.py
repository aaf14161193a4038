"""Backups: a consistent copy of a live SQLite ledger, never over a file.

The key files are not in the copy, on purpose: a backup of the database and
a backup of its keys kept in the same place would undo crypto-shredding (an
erased subject's data keys come back with an old copy). PostgreSQL ledgers
are backed up with ``pg_dump`` (see the README).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from commands.usecases.views import BackupMade
from ledger.errors import ConfigurationError, InvalidCommand
from ledger.keys import sync_folder

if TYPE_CHECKING:
    from pathlib import Path

    from commands.service import Kirjuri

__all__ = ["backup"]


def backup(kirjuri: Kirjuri, dest: Path) -> BackupMade:
    """Copy the ledger to ``dest``, a new file: written beside it under a
    temporary name, synced, then linked into place (never replacing)."""
    settings = kirjuri.settings
    if settings.database_url is not None:
        raise ConfigurationError(f"backup: {pg_dump_hint(settings.database_url, dest)}")
    if dest.exists() or dest.is_symlink():
        raise InvalidCommand("dest", f"{dest}: exists; a backup never replaces a file")
    if not dest.parent.is_dir():
        raise InvalidCommand("dest", f"{dest.parent}: no such folder")
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        # Readable by the owner only: the copy holds the wrapped data keys.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        kirjuri.ledger.database.backup_to(partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.link(partial, dest)  # fails, never replaces, if dest appeared
        sync_folder(dest)
    except FileExistsError as err:
        raise InvalidCommand(
            "dest", f"{dest}: exists; a backup never replaces a file"
        ) from err
    except OSError as err:
        raise ConfigurationError(f"dest: {dest}: {err.strerror}") from err
    finally:
        partial.unlink(missing_ok=True)
    return BackupMade(
        backup=str(dest),
        bytes=dest.stat().st_size,
        not_included=tuple(_key_sources(kirjuri)),
    )


def _key_sources(kirjuri: Kirjuri) -> list[str]:
    settings = kirjuri.settings
    return [
        "KIRJURI_MASTER_KEY" if settings.master_key else str(settings.key_file),
        "KIRJURI_SIGNING_KEY" if settings.signing_key else str(settings.signing_file),
    ]


def pg_dump_hint(url: str, dest: Path) -> str:
    """The pg_dump command for this ledger's schema (no password in it)."""
    parts = urlparse(url)
    schema = dict(
        item.split("=", 1) for item in parts.query.split("&") if "=" in item
    ).get("schema", "public")
    where = f"{parts.scheme}://{parts.hostname or 'localhost'}"
    where += f":{parts.port or 5432}{parts.path}"
    user = f" --username={parts.username}" if parts.username else ""
    return (
        "a PostgreSQL ledger is backed up with pg_dump:"
        f" pg_dump --format=custom --schema={schema}{user} --file={dest} {where}"
        " (and its key files apart; README 'Backups')"
    )
