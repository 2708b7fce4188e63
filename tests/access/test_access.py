"""Roles, password hashing, signed sessions and the add-account CLI."""

from __future__ import annotations

import io
import tomllib
import unicodedata
from pathlib import Path

import pytest

from services.access import (
    LOCKED,
    OPEN,
    OPERATOR,
    SIGNED_IN,
    VIEWER,
    AccessConfig,
    hash_password,
    sign_session,
    verify_password,
    verify_session,
)
from services.access.cli import add_account, main

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)


def test_a_hash_is_salted_scrypt_and_verifies_only_its_password(stored: str) -> None:
    scheme, n, r, p, _salt, _key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "32768", "8", "1")
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert hash_password(PASSWORD) != stored  # a fresh salt every time
    assert not verify_password(PASSWORD, "plain-text-password")


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        hash_password("short")


def test_config_modes_and_roles(stored: str) -> None:
    empty = AccessConfig.from_secrets({})
    assert (empty.mode(is_local=True), empty.mode(is_local=False)) == (OPEN, LOCKED)
    config = AccessConfig.from_secrets(
        {
            "access": {
                "operators": ["Ops@Example.com"],
                "viewers": ["a@example.com"],
                "accounts": {"alice": {"role": "operator", "password_hash": stored}},
            },
            "auth": {"client_id": "x"},
        }
    )
    assert config.mode(is_local=False) == SIGNED_IN and config.oidc
    assert config.role_for_email("ops@example.com") == OPERATOR
    assert config.role_for_email("a@example.com") == VIEWER
    assert config.role_for_email("stranger@example.com") is None
    assert config.authenticate("alice", PASSWORD).role == OPERATOR
    assert config.authenticate("alice", "wrong password!") is None
    assert config.authenticate("bob", PASSWORD) is None
    assert "password_hash" not in repr(config.accounts["alice"])


@pytest.mark.parametrize(
    ("access", "message"),
    [
        ({"accounts": {"a": {"role": "admin", "password_hash": "x"}}}, "password_hash is not"),
        ({"default_role": "admin"}, "role must be 'viewer' or 'operator'"),
        ({"operators": "ops@example.com"}, "must be a list"),
    ],
)
def test_malformed_config_is_refused_without_echoing_hashes(access: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        AccessConfig.from_secrets({"access": access})
    assert "'x'" not in str(info.value)


def test_sessions_are_signed_and_expire() -> None:
    key, other = b"k" * 32, b"o" * 32
    token = sign_session(key, "alice", now=1000)
    assert verify_session(key, token, now=1001) == "alice"
    assert verify_session(other, token, now=1001) is None
    assert verify_session(key, {**token, "user": "mallory"}, now=1001) is None
    assert verify_session(key, token, now=1000 + 13 * 3600) is None
    assert verify_session(key, {"user": "alice"}, now=1001) is None


def test_the_cli_appends_an_account_with_only_a_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[access]\noperators = ["ops@example.com"]\n')
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["add", "alice", "--secrets", str(secrets), "--password-stdin"]) == 0
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err
    text = secrets.read_text()
    assert PASSWORD not in text
    config = AccessConfig.from_secrets(tomllib.loads(text))
    assert config.operators == {"ops@example.com"}
    assert config.authenticate("alice", PASSWORD).role == OPERATOR
    assert secrets.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="already has an account 'alice'"):
        add_account(secrets, "alice", VIEWER, PASSWORD)
    assert main(["add", "bad name", "--secrets", str(secrets), "--password-stdin"]) == 2


def test_hangul_user_names_are_accounts_in_either_unicode_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """김철수 is letters: added from the CLI, and signed in with whether typed composed (NFC,
    most keyboards) or decomposed into jamo (NFD, macOS file names and some input methods)."""
    secrets = tmp_path / "secrets.toml"
    decomposed = unicodedata.normalize("NFD", "김철수")
    assert decomposed != "김철수" and len(decomposed) == 8  # 3 syllables, 8 jamo
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["add", decomposed, "--role", "viewer", "--secrets", str(secrets),
                 "--password-stdin"]) == 0  # fmt: skip
    text = secrets.read_text(encoding="utf-8")
    assert '[access.accounts."김철수"]' in text  # stored composed
    config = AccessConfig.from_secrets(tomllib.loads(text))
    assert config.authenticate("김철수", PASSWORD).role == VIEWER
    assert config.authenticate(decomposed, PASSWORD).name == "김철수"
    assert config.authenticate("김철수", "wrong" + PASSWORD) is None
    for bad in ("김 철수", "김철수\n", 'a"b', "x" * 65, ""):
        with pytest.raises(ValueError, match="1-64 letters"):
            add_account(secrets, bad, VIEWER, PASSWORD)


def test_the_cli_refuses_what_it_cannot_use_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / "secrets.toml"

    def refused(*argv: str, stdin: str = "") -> str:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))  # not a terminal
        assert main(["add", "carol", *argv]) == 2
        return capsys.readouterr().err

    # no terminal and no --password-stdin: getpass would read (and echo) the pipe
    assert "no terminal to ask for the password on" in refused("--secrets", str(secrets))
    assert "stdin ended before a password line" in refused(
        "--secrets", str(secrets), "--password-stdin"
    )
    assert f"--secrets {tmp_path} is a directory" in refused(
        "--secrets", str(tmp_path), "--password-stdin", stdin=PASSWORD + "\n"
    )
    elsewhere = tmp_path / "nope" / "deeper" / "s.toml"
    assert "the folder" in refused(
        "--secrets", str(elsewhere), "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert not (tmp_path / "nope").exists() and not secrets.exists()  # nothing written
    # an app folder's missing .streamlit/ is Streamlit's place for the file: created
    app = tmp_path / "app" / ".streamlit" / "secrets.toml"
    (tmp_path / "app").mkdir()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["add", "carol", "--secrets", str(app), "--password-stdin"]) == 0
    assert "carol" in app.read_text()
