"""The secrets file is read on every run (docs/access.md): an account added with
``python -m services.access add`` works at the next page load, and deleting the file goes back
to the unconfigured mode, both without restarting the process."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config as st_config

from dashboard import identity
from services.access import OPEN, OPERATOR, SIGNED_IN
from services.access.cli import main

PASSWORD = "correct horse battery"


@pytest.fixture
def secrets_path(tmp_path: Path) -> Iterator[Path]:
    """Point Streamlit's ``secrets.files`` at a file of this test (restored afterwards)."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    before = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(path)])
    yield path
    st_config.set_option("secrets.files", before)


def test_added_and_deleted_accounts_apply_without_a_restart(
    secrets_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert identity.access_config().mode(is_local=True) == OPEN  # no file yet
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["add", "alice", "--secrets", str(secrets_path), "--password-stdin"]) == 0
    said = capsys.readouterr().out
    assert "no restart needed" in said and "restart the dashboard" not in said
    # The same process, the next run: the new account is there and signs in.
    config = identity.access_config()
    assert config.mode(is_local=True) == SIGNED_IN
    assert config.authenticate("alice", PASSWORD).role == OPERATOR
    secrets_path.unlink()
    assert identity.access_config().mode(is_local=True) == OPEN
    assert identity.access_config().accounts == {}


def test_a_broken_secrets_file_is_named_not_ignored(secrets_path: Path) -> None:
    secrets_path.parent.mkdir(parents=True)
    secrets_path.write_text('[access\noperators = ["x"]\n')
    with pytest.raises(ValueError, match="secrets.toml is not valid TOML"):
        identity.access_config()
