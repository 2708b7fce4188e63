"""``python -m services.local serve`` refuses bad arguments with one clear line, never a
traceback, and announces itself only once it is listening."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest


def serve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.local", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin", "PERSONALIZE_DATA_DIR": str(cwd / "data")},
    )


@pytest.mark.parametrize(
    ("port", "message"),
    [("99999", "port must be 1-65535, not 99999"), ("http", "not a port number: 'http'")],
)
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str, message: str) -> None:
    done = serve("--port", port, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "README.md"
    file.write_text("not a directory")
    done = serve("--data-dir", str(file), "--port", "1", cwd=tmp_path)
    assert done.returncode == 2
    assert f"--data-dir {file} is a file, not a directory" in done.stderr
    assert "Traceback" not in done.stderr
    assert file.read_text() == "not a directory"


def test_a_data_dir_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    done = serve("--data-dir", "/proc/nope/data", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot create the data directory /proc/nope/data" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_one_line_and_no_banner(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = serve("--port", str(port), cwd=tmp_path)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Personalize local engine on" not in done.stdout
    assert "Traceback" not in done.stderr
