"""A throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql` binaries,
`initdb` in a temporary folder, `pg_ctl` on a free local port, password authentication.

Real Postgres (not a mock, not SQLite) is what the replication reads in production, so
its tests and figures run against the same server software. `initdb` refuses to run as
root: as root, the server runs as the `postgres` system user on a folder it owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here; the message says how to install them."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql+psycopg2://{self.user}:{secret}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import sqlalchemy as sa

        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


def bin_dir() -> Path:
    """Folder of initdb/pg_ctl: Debian's newest /usr/lib/postgresql/<version>/bin."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).parent
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: "
            "install them with `apt-get install -y postgresql` (.ci/run does)."
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.getuid() == 0 else command


@contextlib.contextmanager
def postgres_server(
    user: str = "dop", password: str = "dop-test-password"
) -> Iterator[PostgresServer]:
    """Start a server on 127.0.0.1:<free port>; stop it and delete its files on exit."""
    binaries = bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="dop-postgres-"))
    data, pwfile = folder / "data", folder / "pwfile"
    pwfile.write_text(password + "\n")
    if os.getuid() == 0:
        shutil.chown(folder, SERVER_USER, SERVER_USER)
        shutil.chown(pwfile, SERVER_USER, SERVER_USER)
    folder.chmod(0o700)
    pwfile.chmod(0o600)
    port = _free_port()

    def run(*command: str) -> None:
        subprocess.run(
            _as_server_user([str(binaries / command[0]), *command[1:]]),
            check=True,
            capture_output=True,
            cwd=folder,
        )

    run(
        "initdb", "-D", str(data), "-U", user, f"--pwfile={pwfile}",
        "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync",
    )  # fmt: skip
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    run("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield PostgresServer("127.0.0.1", port, user, password)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
