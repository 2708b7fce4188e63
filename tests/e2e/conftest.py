"""End-to-end fixtures: the real app under `streamlit run`, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

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
def served_dashboard(data_dir: Path, log: Path, *extra_args: str) -> Iterator[str]:
    """`streamlit run` on a free loopback port over ``data_dir``; yields its URL, stops it after."""
    port = free_port()
    env = {
        **os.environ,
        "PERSONALIZE_DATA_DIR": str(data_dir),
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
        "PERSONALIZE_LOCAL_WORKER": "thread",
        "OPENBLAS_NUM_THREADS": "1",
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
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
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


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
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
