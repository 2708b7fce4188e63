"""End-to-end fixtures: the real app under `streamlit run`, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.conftest import Seeded, seed_workspace
from tests.local.server import free_port
from tests.watchdog import guard

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags that keep Chromium off the network entirely (see STACK.md section 3).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)


@dataclass
class RunningApp:
    """A dashboard served on loopback, with what its browser saw."""

    url: str
    seeded: Seeded
    data_dir: Path
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as resp:
                if resp.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not become healthy: {log.read_text()[-2000:]}")


@contextmanager
def served_dashboard(
    data_dir: Path,
    log: Path,
    *extra_args: str,
    root: Path = ROOT,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """`streamlit run` on a free loopback port over ``data_dir``; yields its URL, stops it after.
    ``root``: the source tree whose streamlit_app.py runs (bench/refresh_busy.py serves an
    older commit's too); ``env``: variables set over the defaults below."""
    port = free_port()
    env = {
        **os.environ,
        "PERSONALIZE_DATA_DIR": str(data_dir),
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
        "PERSONALIZE_LOCAL_WORKER": "thread",
        "OPENBLAS_NUM_THREADS": "1",
        **(env or {}),
    }
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    dog = guard(proc.pid, signal.SIGTERM)  # a killed test run ends the server too
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log, timeout=60)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        dog.wait(timeout=10)


def need_chromium() -> None:
    """Skip the test without Debian's chromium (the browser tests' one dependency)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


Prepare = Callable[[Path], list[str]]
"""Fills a dashboard's folder (``data/`` is its data directory) before it starts; returns extra
``streamlit run`` options (``--secrets.files …``)."""


@pytest.fixture(scope="module")
def own_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """A factory for a module's own dashboard, apart from the session's ``app``: ``start(name,
    prepare=None)`` skips without Chromium, makes a folder ``name``, runs ``prepare`` on it,
    serves the dashboard over its ``data/`` and returns the URL; every dashboard it started
    stops with the module."""
    with ExitStack() as running:

        def start(name: str, prepare: Prepare | None = None) -> str:
            need_chromium()
            base = tmp_path_factory.mktemp(name)
            extra = prepare(base) if prepare else []
            log = base / "streamlit.log"
            return running.enter_context(served_dashboard(base / "data", log, *extra))

        yield start


# Streamlit's frontend, on a page opened by its URL (a deep link or a reload), first looks for
# its server under the page's path and then at the root: the first two answer 404 by design
# (streamlit/streamlit#7074, open), two console errors on every page opened so that are not a
# file of ours missing. Any other failed request is.
STREAMLIT_PROBES = ("_stcore/health", "_stcore/host-config")


def failed_requests(page: Any, base: str) -> list[str]:
    """From now on, the ``page``'s requests to ``base`` (its origin) that failed or were
    answered 400 or more, as "URL (status or error)"; a request the next navigation cancels
    (net::ERR_ABORTED, as a reload does) is not a failure."""
    failed: list[str] = []

    def on_failed(request: Any) -> None:
        if request.url.startswith(base) and "ERR_ABORTED" not in (request.failure or ""):
            failed.append(f"{request.url} ({request.failure})")

    def on_response(response: Any) -> None:
        if response.url.startswith(base) and response.status >= 400:
            failed.append(f"{response.url} ({response.status})")

    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return failed


def streamlit_probes(base: str, path: str) -> set[str]:
    """The 404s Streamlit's frontend causes on a page opened at ``base``/``path``."""
    return {f"{base}/{path}/{probe} (404)" for probe in STREAMLIT_PROBES}


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    need_chromium()
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    seeded = seed_workspace(data_dir)
    with served_dashboard(data_dir, data_dir.parent / "streamlit.log") as url:
        yield RunningApp(url=url, seeded=seeded, data_dir=data_dir)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        # Playwright's 30 s default is too short while a loaded 2-core run seeds other apps:
        # a first load (load 25) and a click on a tab drawn after a rerun (load 18) timed out.
        context.set_default_navigation_timeout(120_000)
        context.set_default_timeout(90_000)
        yield context
        context.close()
