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


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield its URL; stop it and remove its files."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="kirjuri-pg-"))
    data, port = root / "data", _free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        root.chmod(0o700)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    run = lambda *args: subprocess.run(  # noqa: E731
        [*as_postgres, *args], check=True, capture_output=True, text=True
    )
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(
                str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
