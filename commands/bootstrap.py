"""Wiring: the only place that reads the environment.

``Settings.from_environ()`` reads ``KIRJURI_*`` variables; ``build_ledger``
turns settings into a ledger on SQLite (default: ``./kirjuri.db``) or
PostgreSQL (``KIRJURI_DATABASE_URL=postgresql://…``), with its master key,
and its reads on a hot standby (``KIRJURI_READ_DATABASE_URL``) if one is named.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlparse

import structlog
from eventsourcing.postgres import PostgresDatastore

from ledger.application import Ledger
from ledger.checkpoints import load_or_create_signing_key
from ledger.errors import ConfigurationError
from ledger.keys import (
    KEY_BYTES,
    MasterKey,
    missing_master_key,
    read_master_key,
    sync_folder,
    write_key_file,
)
from ledger.standby import Standby

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["Settings", "build_ledger"]

log = structlog.get_logger("kirjuri.bootstrap")

DEFAULT_SQLITE_PATH = Path("kirjuri.db")
MAIN_URL = "KIRJURI_DATABASE_URL"
# How long a read waits for the standby to replay a write it must see
# before it reads the primary instead (seconds; KIRJURI_READ_WAIT).
DEFAULT_READ_WAIT = 1.5
LONGEST_READ_WAIT = 60.0


def _yes(flag: str) -> bool:
    return flag.lower() not in ("0", "no", "false", "off")


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    sqlite_path: Path = DEFAULT_SQLITE_PATH
    master_key: str | None = None
    master_key_file: Path | None = None
    signing_key: str | None = None
    signing_key_file: Path | None = None
    witness_path: Path | None = None
    auto_checkpoint: bool = True
    log_level: str = "info"
    # A long bulk run's read models applied by a second process (two cores).
    # Off until it is measured faster on an idle machine (BENCHMARKS.md).
    follower: bool = False
    read_database_url: str | None = None
    read_wait: float = DEFAULT_READ_WAIT

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("KIRJURI_DATABASE_URL") or None
        sqlite_path = DEFAULT_SQLITE_PATH
        if url and url.startswith("sqlite:"):
            sqlite_path = Path(url.split(":", 1)[1].removeprefix("//"))
            url = None
        key_file = env.get("KIRJURI_MASTER_KEY_FILE")
        read_url = env.get("KIRJURI_READ_DATABASE_URL") or None
        if read_url is not None:
            _check_read_url(read_url, url)
        return cls(
            read_database_url=read_url,
            read_wait=_read_wait(env.get("KIRJURI_READ_WAIT")),
            database_url=url,
            sqlite_path=sqlite_path,
            master_key=env.get("KIRJURI_MASTER_KEY") or None,
            master_key_file=Path(key_file) if key_file else None,
            signing_key=env.get("KIRJURI_SIGNING_KEY") or None,
            signing_key_file=Path(signing)
            if (signing := env.get("KIRJURI_SIGNING_KEY_FILE"))
            else None,
            witness_path=Path(witness)
            if (witness := env.get("KIRJURI_WITNESS"))
            else None,
            auto_checkpoint=_yes(env.get("KIRJURI_AUTO_CHECKPOINT", "yes")),
            log_level=env.get("KIRJURI_LOG_LEVEL", "info"),
            follower=_yes(env.get("KIRJURI_FOLLOWER", "no")),
        )

    @property
    def key_file(self) -> Path:
        """The master key file: named, or beside the SQLite database."""
        if self.master_key_file is not None:
            return self.master_key_file
        if self.database_url is None:
            return self.sqlite_path.with_name(self.sqlite_path.name + ".master-key")
        return Path("kirjuri.master-key")

    @property
    def signing_file(self) -> Path:
        """The Ed25519 signing key file: named, or beside the master key."""
        if self.signing_key_file is not None:
            return self.signing_key_file
        return self.key_file.with_name(
            self.key_file.name.replace("master-key", "signing-key")
        )

    @property
    def witness_dir(self) -> Path:
        """Where verify keeps the newest checkpoint it verified: named, or
        beside the signing key file (outside the database)."""
        if self.witness_path is not None:
            return self.witness_path
        name = self.signing_file.name
        witness = name.replace("signing-key", "witness")
        return self.signing_file.with_name(
            witness if witness != name else name + ".witness"
        )

    def eventsourcing_env(self) -> dict[str, str]:
        # No AGGREGATE_CACHE_MAXSIZE: states come from the ledger's own
        # snapshots (ledger/snapshots.py), never the library's repository.
        if self.database_url is None:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        return postgres_env(self.database_url)


def _check_read_url(read_url: str, url: str | None) -> None:
    name = "KIRJURI_READ_DATABASE_URL"
    if url is None:
        raise ConfigurationError(
            f"{name}: a standby needs a PostgreSQL KIRJURI_DATABASE_URL"
            " (a SQLite ledger has none)"
        )
    postgres_env(read_url, name)


def _read_wait(text: str | None) -> float:
    if text is None or not text.strip():
        return DEFAULT_READ_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= LONGEST_READ_WAIT:
        raise ConfigurationError(
            f"KIRJURI_READ_WAIT: {text[:20]!r} is not seconds from 0 to"
            f" {LONGEST_READ_WAIT:g}"
        )
    return seconds


def postgres_env(url: str, name: str = MAIN_URL) -> dict[str, str]:
    """``postgresql://user:password@host:port/db?schema=name`` for the library."""
    parts = urlparse(url)
    if parts.scheme not in ("postgresql", "postgres"):
        allowed = "postgresql or sqlite" if name == MAIN_URL else "postgresql"
        raise ConfigurationError(
            f"{name}: scheme {parts.scheme[:20]!r} is not {allowed}"
        )
    if not parts.path.strip("/"):
        raise ConfigurationError(f"{name}: names no database")
    try:
        port = parts.port
    except ValueError as err:
        raise ConfigurationError(f"{name}: the port is not a number") from err
    query = parse_qs(parts.query)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
        "POSTGRES_HOST": parts.hostname or "localhost",
        "POSTGRES_PORT": str(port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
    }


def master_key(settings: Settings, *, create: bool) -> tuple[MasterKey, bytes | None]:
    """The configured master key; at ``init`` with no key file, a new one,
    returned with its bytes, written only once the ledger proves to have
    no keys (a new key never replaces one that data keys need)."""
    if settings.master_key is not None:
        return MasterKey.from_text(settings.master_key, "KIRJURI_MASTER_KEY"), None
    key = read_master_key(settings.key_file)
    if key is not None:
        return key, None
    if not create:
        raise missing_master_key(settings.key_file)
    raw = os.urandom(KEY_BYTES)
    return MasterKey(raw, str(settings.key_file)), raw


def _save_new_master_key(settings: Settings, ledger: Ledger, raw: bytes) -> None:
    if ledger.keys.has_keys():
        raise ConfigurationError(
            f"{settings.key_file}: no master key file, and this ledger has keys: "
            "restore the key file from your backup (a new key would open none)"
        )
    try:
        write_key_file(settings.key_file, raw.hex() + "\n")
    except FileExistsError:  # another init made it first: use that one
        key = read_master_key(settings.key_file)
        if key is not None:
            ledger.keys.master = key
        return
    except OSError as err:
        raise ConfigurationError(f"{settings.key_file}: {err.strerror}") from err
    log.warning(
        "master key created; back it up apart from the database",
        path=str(settings.key_file),
    )


def signing_key(settings: Settings, *, create: bool) -> Ed25519PrivateKey:
    key, created = load_or_create_signing_key(
        settings.signing_file, settings.signing_key, create=create
    )
    if created:
        log.warning(
            "checkpoint signing key created; give its public key to your auditors",
            path=str(settings.signing_file),
        )
    return key


def build_ledger(settings: Settings, *, create: bool = False) -> Ledger:
    """Open the ledger; ``create`` allows a new SQLite file and master key."""
    if (
        settings.database_url is None
        and not create
        and not settings.sqlite_path.exists()
    ):
        raise ConfigurationError(
            f"{settings.sqlite_path}: no ledger here; run 'kirjuri init' first"
        )
    key, new_raw = master_key(settings, create=create)
    try:
        ledger = Ledger(settings.eventsourcing_env(), key)
    except OSError as err:
        raise ConfigurationError(f"database: {err}") from err
    try:
        if settings.read_database_url is not None:
            ledger.standby = _standby(ledger, settings)
        recovered = finish_rotation(settings, ledger)
        if new_raw is not None and not recovered:
            _save_new_master_key(settings, ledger, new_raw)
        ledger.keys.check_master()
        # An erasure's scrub a reader held up: once, at once, if it can.
        ledger.keys.scrub_pending(attempts=1)
    except BaseException:
        ledger.close()
        raise
    return ledger


def _standby(ledger: Ledger, settings: Settings) -> Standby:
    """The hot standby the ledger's reads go to (its own connection pool)."""
    assert settings.read_database_url is not None
    env = postgres_env(settings.read_database_url, "KIRJURI_READ_DATABASE_URL")
    primary = ledger.database.datastore
    if not isinstance(primary, PostgresDatastore):
        raise ConfigurationError("KIRJURI_READ_DATABASE_URL: needs a PostgreSQL ledger")
    standby = PostgresDatastore(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        schema=primary.schema,
        pool_size=int(env["POSTGRES_POOL_SIZE"]),
        max_overflow=int(env["POSTGRES_MAX_OVERFLOW"]),
        # A standby that is down must not hold a read longer than its bound.
        connect_timeout=max(1.0, settings.read_wait),
    )
    return Standby.attach(primary, standby, settings.read_wait)


def finish_rotation(settings: Settings, ledger: Ledger) -> bool:
    """Settle a master key rotation cut short (a crash, a failed rename):
    use the key the data keys are wrapped under, wherever the rotation left
    it, and drop the other. True if the key in use changed."""
    record = ledger.keys.rotation()
    if record is None:
        return False
    target, pending = Path(record["target"]), Path(record["pending"])
    if record["key_id"] not in ledger.keys.master_key_ids_in_use():
        # The re-wrap never committed: the old key holds; drop the new one.
        found = _key_at(pending)
        if found is not None and found.key_id == record["key_id"]:
            pending.unlink()
        ledger.keys.end_rotation()
        log.warning("discarded the key of a rotation that did not happen")
        return False
    for path in (pending, target):
        found = _key_at(path)
        if found is not None and found.key_id == record["key_id"]:
            break
    else:
        raise ConfigurationError(
            f"{target}: a master key rotation was cut short and its new key is "
            f"neither there nor in {pending}: restore it from your backup"
        )
    ledger.keys.master = found
    if path == pending:
        try:
            os.replace(pending, target)
            sync_folder(target)
        except OSError as err:
            log.warning(
                "new master key left beside its place; move it there",
                path=str(pending),
                target=str(target),
                error=err.strerror,
            )
            return True  # the record stays: the next start tries again
        ledger.keys.master = MasterKey.from_text(target.read_text(), str(target))
    ledger.keys.end_rotation()
    log.warning("finished an interrupted master key rotation", key_file=str(target))
    if settings.master_key is not None or target != settings.key_file.absolute():
        log.warning("point KIRJURI_MASTER_KEY(_FILE) at the new key", path=str(target))
    return True


def _key_at(path: Path) -> MasterKey | None:
    try:
        return read_master_key(path)
    except (OSError, ConfigurationError):
        return None
