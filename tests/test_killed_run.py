"""A killed test run leaves no server behind (issue #25).

Each test runs a child pytest that starts a server the way the suites do (tests/postgres.py's
PostgreSQL, tests/e2e's ``streamlit run``) and then sleeps; the child (or, under ``-n 1``, its
xdist worker) is killed with SIGKILL, as a hung run or a worker is, so none of its cleanup
runs. The server's port must close, and PostgreSQL's folder go, within ``BOUND_SECONDS`` (the
watchdog polls twice a second and gives a server ``GRACE_SECONDS`` before SIGKILL). A control
kills the watchdog too: the server then stays up (so it is the watchdog that ends it), and the
next run's ``remove_stale`` stops it and deletes its folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import binaries, in_ci, remove_stale
from tests.watchdog import GRACE_SECONDS, POLL_SECONDS

ROOT = Path(__file__).resolve().parents[1]
BOUND_SECONDS = POLL_SECONDS + GRACE_SECONDS + 10
START_SECONDS = 180  # a child pytest that imports the dashboard on two busy cores

CHILD = textwrap.dedent(
    """
    import json, os, time
    from pathlib import Path

    OUT = Path(os.environ["CHILD_OUT"])

    def report(**facts):
        OUT.with_suffix(".tmp").write_text(json.dumps(facts))
        OUT.with_suffix(".tmp").rename(OUT)
        time.sleep(600)  # until killed

    def test_postgres():
        from tests.postgres import PostgresServer, binaries
        server = PostgresServer(binaries()).start()
        report(
            port=server.port,
            root=str(server.root),
            watchdog=server._watchdog.pid,
            tester=os.getpid(),  # the xdist worker under -n 1
        )

    def test_streamlit(tmp_path):
        from tests.e2e.conftest import served_dashboard
        with served_dashboard(tmp_path / "data", tmp_path / "streamlit.log") as url:
            report(port=int(url.rsplit(":", 1)[1]))
    """
)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Any, seconds: float) -> float:
    """Seconds until ``condition()`` held; fails after ``seconds``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not within {seconds:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - start


@pytest.fixture
def server_tmp() -> Iterator[Path]:
    """The child's TMPDIR, apart from other runs' server folders; in the system's temporary
    folder, as pytest's own are closed to the ``postgres`` user the server runs as under root."""
    folder = Path(tempfile.mkdtemp(prefix="killed-run-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def start_child(
    tmp_path: Path, server_tmp: Path, test: str, workers: int = 0
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """A child pytest running ``test`` of CHILD (in one xdist worker if ``workers``); what it
    reported once its server is up."""
    folder = tmp_path / "child"
    folder.mkdir()
    (folder / "test_child.py").write_text(CHILD)
    out = folder / "out.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CHILD_OUT": str(out), "TMPDIR": str(server_tmp)}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    argv += ["-n", str(workers)] if workers else ["-p", "no:xdist"]
    log = folder / "child.log"
    with log.open("wb") as sink:
        child = subprocess.Popen(
            [*argv, "--basetemp", str(folder / "basetemp"), f"test_child.py::{test}"],
            cwd=folder,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: out.exists() or child.poll() is not None, START_SECONDS)
        assert child.poll() is None, f"the child exited {child.returncode}: {log.read_text()}"
        facts = json.loads(out.read_text())
        assert listening(facts["port"])
    except BaseException:
        child.kill()
        child.wait()
        raise
    return child, facts


def kill(child: subprocess.Popen[bytes]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)


def need_postgres() -> None:
    if binaries() is None:
        why = "PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)"
        if in_ci():
            pytest.fail(f"{why}; CI must run the PostgreSQL suites")
        pytest.skip(why)


@pytest.mark.parametrize("killed", ["pytest", "xdist worker"])
def test_a_killed_run_stops_its_postgresql_server_and_deletes_its_folder(
    tmp_path: Path, server_tmp: Path, killed: str
) -> None:
    need_postgres()
    workers = 1 if killed == "xdist worker" else 0
    child, facts = start_child(tmp_path, server_tmp, "test_postgres", workers)
    try:
        if workers:
            assert facts["tester"] != child.pid
            os.kill(facts["tester"], signal.SIGKILL)  # the controller lives on
        else:
            kill(child)
        wait_until(lambda: not listening(facts["port"]), BOUND_SECONDS)
        wait_until(lambda: not Path(facts["root"]).exists(), BOUND_SECONDS)
    finally:
        kill(child)


def test_a_killed_run_stops_its_streamlit_server(tmp_path: Path, server_tmp: Path) -> None:
    child, facts = start_child(tmp_path, server_tmp, "test_streamlit")
    kill(child)
    wait_until(lambda: not listening(facts["port"]), BOUND_SECONDS)


def test_without_its_watchdog_the_server_outlives_the_run_until_the_next_run(
    tmp_path: Path, server_tmp: Path
) -> None:
    need_postgres()
    child, facts = start_child(tmp_path, server_tmp, "test_postgres")
    os.kill(facts["watchdog"], signal.SIGKILL)
    kill(child)
    time.sleep(POLL_SECONDS * 4)
    assert listening(facts["port"]), "the server died without its watchdog"
    root = Path(facts["root"])
    assert remove_stale(root.parent) == [root]
    assert not listening(facts["port"])
    assert not root.exists()


def test_the_next_run_leaves_live_runs_and_unknown_folders_alone(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    dead_pid = int(gone.stdout)  # a process that has exited (and been reaped)
    live, dead, unknown = (tmp_path / f"pgtest-{n}" for n in ("live", "dead", "unknown"))
    for folder, owner in ((live, os.getpid()), (dead, dead_pid), (unknown, None)):
        (folder / "data").mkdir(parents=True)
        if owner is not None:
            (folder / "owner.pid").write_text(str(owner))
    assert remove_stale(tmp_path) == [dead]
    assert live.exists() and unknown.exists() and not dead.exists()
