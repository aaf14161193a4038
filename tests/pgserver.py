"""A throwaway PostgreSQL server for the test run: initdb + pg_ctl in a temp dir.

As root the server runs as the ``postgres`` user. It listens on 127.0.0.1 on
a free port, with its socket and data in the temp dir, and trusts local
connections (nothing else can reach it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


def _bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        raise RuntimeError("pg_config not found: install PostgreSQL (see .ci/run)")
    found = subprocess.run(
        [pg_config, "--bindir"], capture_output=True, text=True, check=True
    )
    bindir = Path(found.stdout.strip())
    if not (bindir / "initdb").exists():
        raise RuntimeError(f"{bindir}/initdb missing: install the PostgreSQL server")
    return bindir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Fast and unsafe on a crash: a throwaway server's data need not survive one.
FAST = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


class _Server:
    """initdb, pg_ctl and pg_basebackup run as the ``postgres`` user when root."""

    def __init__(self, root: Path) -> None:
        self.bindir, self.root = _bindir(), root
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            root.chmod(0o700)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bindir / tool), *args],
            check=True,
            capture_output=True,
            text=True,
        )

    def initdb(self, data: Path) -> None:
        self.run(
            "initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip

    def start(self, data: Path, port: int, options: str = "") -> None:
        options = f"-p {port} -k {self.root} {FAST} {options}"
        self.run(
            "pg_ctl", "-D", str(data), "-o", options,
            "-l", str(data.with_suffix(".log")), "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, data: Path) -> None:
        self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield its URL; stop it and remove its files."""
    root = Path(tempfile.mkdtemp(prefix="kirjuri-pg-"))
    data, port = root / "data", _free_port()
    try:
        server = _Server(root)
        server.initdb(data)
        server.start(data, port)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            server.stop(data)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def replicated_servers() -> Iterator[tuple[str, str]]:
    """A primary and a hot standby fed by streaming replication from it
    (``pg_basebackup -R``), both on loopback; yield their URLs; stop both
    and remove their files."""
    root = Path(tempfile.mkdtemp(prefix="kirjuri-pg-"))
    primary, standby = root / "primary", root / "standby"
    ports = _free_port(), _free_port()
    started: list[Path] = []
    try:
        server = _Server(root)
        server.initdb(primary)
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        # Commits flushed at once, so the standby gets them at once (with
        # fsync off, a flush costs little); otherwise up to wal_writer_delay.
        server.start(
            primary,
            ports[0],
            "-c wal_level=replica -c max_wal_senders=4 -c synchronous_commit=on",
        )
        started.append(primary)
        server.run(
            "pg_basebackup", "-D", str(standby), "-R", "-X", "stream",
            "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "postgres", "--no-sync",
        )  # fmt: skip
        server.start(standby, ports[1], "-c hot_standby=on")
        started.append(standby)
        yield tuple(  # type: ignore[misc]
            f"postgresql://postgres@127.0.0.1:{port}/postgres" for port in ports
        )
    finally:
        for data in reversed(started):
            server.stop(data)
        shutil.rmtree(root, ignore_errors=True)
