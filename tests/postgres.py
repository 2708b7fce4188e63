"""A throwaway PostgreSQL server for the shared-deployment tests (issue #25).

Debian's ``postgresql`` package (``.ci/run`` installs it) gives ``initdb`` and ``pg_ctl``; the
server lives in a temporary directory, listens on a free loopback port (and a socket in that
directory), and is stopped and deleted at the end of the run. PostgreSQL refuses to run as
root, so under root (CI containers) the server runs as the package's ``postgres`` user.

Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``): the data
is thrown away, and the tests measure behaviour, not crash safety.

A killed test run (``kill -9`` of pytest or of an xdist worker) cannot stop its server, so a
watchdog (tests/watchdog.py) ends the postmaster and deletes its folder when the test process is
gone; a folder left all the same (the watchdog killed too) is deleted by the next run's first
server (``remove_stale``), its postmaster stopped if it still runs.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.local.server import free_port
from tests.watchdog import alive, end, guard

SUPERUSER = "postgres"
PREFIX = "pgtest-"
OWNER = "owner.pid"  # the pid of the test process that made the folder
# PostgreSQL's immediate shutdown: the postmaster ends its backends and exits at once.
STOP_SIGNAL = signal.SIGQUIT


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's layout)."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(versions[-1]).parent if versions else None


def postmaster_pid(data: Path) -> int | None:
    """The pid in ``data/postmaster.pid`` if that process is the postmaster of ``data`` (its
    command line names the folder, so a pid reused by another process is not taken for it)."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if os.fsencode(str(data)) in cmdline and alive(pid) else None


def remove_stale(tmp: Path) -> list[Path]:
    """Delete the server folders in ``tmp`` whose test process is gone (stopping a postmaster
    that still runs there); folders of live test processes, and folders without an owner
    file, are left alone. Returns the folders deleted."""
    removed = []
    for root in tmp.glob(f"{PREFIX}*"):
        try:
            owner = int((root / OWNER).read_text())
        except (OSError, ValueError):
            continue
        if alive(owner):
            continue
        pid = postmaster_pid(root / "data")
        if pid is not None:
            end(pid, STOP_SIGNAL)
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


def in_ci() -> bool:
    """True on a CI runner (``CI`` set, as ``.ci/run`` and CI services do)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


class PostgresServer:
    """One ``postgres`` process over a fresh cluster; ``database()`` hands out empty databases."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        remove_stale(Path(tempfile.gettempdir()))
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER).write_text(str(os.getpid()))
        self.data = self.root / "data"
        self.port = 0
        self._names = itertools.count(1)
        self._run_as: dict[str, Any] = {}
        self._watchdog: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as err:
                raise RuntimeError(
                    "PostgreSQL refuses to run as root and there is no 'postgres' user "
                    "(Debian's postgresql package creates it)"
                ) from err
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._run_as = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}

    def _run(self, *args: str, timeout: float) -> None:
        done = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
            check=False,
            **self._run_as,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")

    def start(self) -> PostgresServer:
        """initdb, then ``pg_ctl start`` on a free port (three tries if a port is taken)."""
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            timeout=120,
        )
        last: Exception | None = None
        for _ in range(3):
            self.port = free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    "-c listen_addresses=127.0.0.1",
                    f"-c unix_socket_directories={self.root}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=300",
                ]
            )
            try:
                self._run(
                    "pg_ctl",
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.root / "server.log"),
                    "-o",
                    options,
                    timeout=90,
                )
                pid = postmaster_pid(self.data)
                if pid is None:
                    raise RuntimeError(f"no postmaster runs for {self.data} after pg_ctl start")
                self._watchdog = guard(pid, STOP_SIGNAL, [self.root])
                return self
            except RuntimeError as err:
                last = err
                time.sleep(0.2)
        log = self.root / "server.log"
        raise RuntimeError(f"{last}\n{log.read_text()[-2000:] if log.exists() else ''}")

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended) and delete its files."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data), timeout=60)
        finally:
            if self._watchdog is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    # it exits once the postmaster is gone; if the stop failed, it ends the
                    # postmaster when this process exits
                    self._watchdog.wait(timeout=10)
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this server (psycopg 3, loopback TCP)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def database(self, hint: str = "db") -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t{next(self._names)}_{''.join(c for c in hint.lower() if c.isalnum())[:30]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
