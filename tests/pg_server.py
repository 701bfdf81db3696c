"""A private PostgreSQL server for the tests and benchmarks: initdb in a temporary folder, pg_ctl on a Unix
socket in it, no TCP port, trust authentication for the one user, gone when stopped.

The server binaries come from Debian's `postgresql` package (`make test` installs it when missing). As
root, initdb refuses to run, so the server runs as the `postgres` user that package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "newsprism"
DATABASE = "newsprism"


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    raise RuntimeError(
        "the PostgreSQL tests need a PostgreSQL server (initdb, pg_ctl), and none is installed:"
        " `apt-get install postgresql` (make test installs it)"
    )


@dataclass
class LocalServer:
    folder: Path
    bin: Path
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@/{DATABASE}?host={self.folder}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> LocalServer:
    """Start a fresh server with an empty `newsprism` database; `LocalServer.url` reaches it."""
    binaries = server_binaries()
    folder = Path(tempfile.mkdtemp(prefix="np-pg-", dir="/tmp"))  # short: a socket path has ~100 bytes
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(
                "as root, the test PostgreSQL server runs as the user 'postgres' (initdb refuses root), and there"
                " is none: `apt-get install postgresql` creates it"
            ) from None
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = LocalServer(folder, binaries, as_user)
    data = folder / "data"
    try:
        _run(
            [
                *as_user,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        options = (
            f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200"
        )
        _run(
            [
                *as_user,
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )
        _run(
            [
                str(binaries / "psql"),
                "-h",
                str(folder),
                "-U",
                USER,
                "-d",
                "postgres",
                "-q",
                "-c",
                f"CREATE DATABASE {DATABASE}",
            ]
        )
    except BaseException:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.stop()
        if detail:
            raise RuntimeError(f"the test PostgreSQL server did not start; its log ends:\n{detail}") from None
        raise
    return server


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
