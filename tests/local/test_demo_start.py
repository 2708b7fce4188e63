"""``python -m services.demo``'s first line comes before its slow first step.

A trial of ``make run`` on a fresh clone saw nothing for 10-14 s: the demo imported pandas,
SQLAlchemy and boto3 and started the engine before its first line. The test runs the command
in a child process with an import hook that prints a marker when those modules are first
imported, and stops it once the data is being generated.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SLOW = ("pandas", "sqlalchemy", "boto3", "services.local.engine")
# Prints "<import NAME>" the first time one of SLOW is imported, then runs the demo's main.
SCRIPT = f"""
import sys

class Watch:
    seen = set()

    def find_spec(self, name, path=None, target=None):
        if name in {SLOW!r} and name not in self.seen:
            self.seen.add(name)
            print(f"<import {{name}}>", flush=True)
        return None

sys.meta_path.insert(0, Watch())
from services.demo.__main__ import main
sys.exit(main(sys.argv[1:]))
"""
TIMEOUT_S = 120.0


def _first_lines(data_dir: Path) -> list[str]:
    """The child's output up to its "generated …" line (or its end), then the child is killed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PERSONALIZE_ENDPOINT_URL", "LOCAL_ENGINE_DB_URL", "DASHBOARD_DB_URL")
    }
    env |= {
        "PERSONALIZE_BACKEND": "local",
        "PERSONALIZE_LOCAL_WORKER": "thread",
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: killed whole, worker threads and all
    )
    timer = threading.Timer(TIMEOUT_S, lambda: os.killpg(child.pid, signal.SIGKILL))
    timer.start()
    lines: list[str] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line.rstrip("\n"))
            if "] generated " in line:
                break
    finally:
        timer.cancel()
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    return lines


def test_the_first_line_says_what_the_slow_first_step_does_before_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    lines = _first_lines(data_dir)
    assert any("] generated " in line for line in lines), lines

    def at(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix))

    assert lines[0] == (
        "demo: loading Python libraries (pandas, SQLAlchemy, boto3) and starting the local "
        f"engine in {data_dir}…"
    )
    # the line comes before every slow import, the engine's included
    assert all(at(f"<import {name}>") > 0 for name in SLOW)
    # then the timed steps: what is generated is said before it is generated
    seeding = next(i for i, line in enumerate(lines) if "] seeding demo-shop" in line)
    generating = next(i for i, line in enumerate(lines) if "] generating the shop's" in line)
    generated = next(i for i, line in enumerate(lines) if "] generated " in line)
    assert max(at(f"<import {name}>") for name in SLOW) < seeding < generating < generated
