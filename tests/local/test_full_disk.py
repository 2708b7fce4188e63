"""Training on a full disk ends CREATE FAILED with its cause, whichever process notices.

The data directory lives on a small tmpfs that the test fills (``fallocate``), so the failures
are the kernel's own ENOSPC. Mounting needs root, as in CI and on the development machines.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import create_group, start_training, wait_for, worker_pid

NO_SPACE = "No space left on the device holding"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 32 MiB tmpfs; the engines are closed before it is unmounted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        reset_engines()
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Take all but about ``leave`` bytes of the device's free space (in shrinking pieces:
    the engine may be writing meanwhile)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        offset, piece = 0, shutil.disk_usage(disk).free - leave
        while piece >= 4096:
            try:
                os.posix_fallocate(fd, offset, piece - piece % 4096)
            except OSError:
                piece //= 2
                continue
            offset += piece - piece % 4096
            piece = shutil.disk_usage(disk).free - leave
    finally:
        os.close(fd)
    assert shutil.disk_usage(disk).free <= leave + 8192
    return filler


def _training(clients: Clients, data_dir: Path) -> str:
    return start_training(clients, create_group(clients, data_dir)["group"])


def _ends_failed_for_no_space(clients: Clients, version: str, data_dir: Path) -> str:
    done = wait_for(
        lambda: clients.personalize.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=30,
    )
    assert done["status"] == "CREATE FAILED"
    assert f"{NO_SPACE.lower()} {data_dir}" in done["failureReason"].lower(), done
    return done["failureReason"]


def test_a_version_that_cannot_be_saved_fails_with_the_cause(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The disk fills while the version trains: saving the model or the version fails, and so
    may saving that failure; the worker keeps the outcome and writes it once there is room."""
    data_dir = small_disk / "data"
    settings = Settings(
        data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread", min_training_seconds=2.0
    )
    clients = build_clients(settings)
    version = _training(clients, data_dir)
    caplog.set_level(logging.WARNING, logger="services.local.jobs")
    filler = _fill(small_disk, leave=0)
    deadline = time.monotonic() + 60
    # the worker thread logs the failure whether or not it could record it
    while not any(version in r.getMessage() and "failed" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "the training never hit the full disk"
        time.sleep(0.05)
    filler.unlink()
    _ends_failed_for_no_space(clients, version, data_dir)


def test_a_worker_that_died_on_a_full_disk_fails_its_job_with_the_cause(
    small_disk: Path,
) -> None:
    """Its worker killed while the disk is (almost) full, the job is not resumed (it would fail
    the same way): the next request's recovery fails it, naming the full device."""
    data_dir = small_disk / "data"
    settings = Settings(
        data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process", min_training_seconds=60
    )
    clients = build_clients(settings)
    version = _training(clients, data_dir)
    pid = worker_pid(data_dir, version)
    _fill(small_disk, leave=256 << 10)  # room for the database's small writes only
    os.kill(pid, signal.SIGKILL)
    reason = _ends_failed_for_no_space(clients, version, data_dir)
    assert reason.startswith(f"{NO_SPACE} {data_dir}") and "start it again" in reason
