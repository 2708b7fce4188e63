"""AWS configuration faults are one line naming the setting to fix, from the facade and the
command line: a missing profile, missing or expired credentials, an assume-role that fails,
no network. Real botocore sessions read temporary config files; STS and Personalize are
loopback endpoints that refuse (or nothing listening), so nothing reaches the internet."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from services.config import Settings
from services.errors import AwsSetupError
from services.personalize.account import current_account
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.session import AssumeRoleProvider, aws_session
from services.pipeline.cli import main
from tests.aws.conftest import AwsStubs
from tests.aws.setup_faults import DASHBOARD_ROLE, FAULTS, Setup, set_up

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def faulty(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Setup]:
    """The fault named by the test's parameter, set up in the environment."""
    with ExitStack() as stack:
        yield set_up(request.param, monkeypatch, tmp_path / "aws", stack)


@pytest.mark.parametrize("faulty", list(FAULTS), indirect=True)
def test_the_facade_raises_one_line_naming_the_setting(faulty: Setup) -> None:
    with pytest.raises(AwsSetupError) as raised:
        PersonalizeService(build_clients(Settings.from_env())).list_dataset_groups()
    assert str(raised.value) == faulty.says
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "faulty", ["profile role refused", "dashboard role refused"], indirect=True
)
def test_a_refused_role_is_asked_once_and_personalize_never(faulty: Setup) -> None:
    with pytest.raises(AwsSetupError, match="AssumeRole"):
        PersonalizeService(build_clients(Settings.from_env())).list_dataset_groups()
    # AccessDenied is not retried; nothing unsigned went on to Personalize
    assert len(faulty.sts_requests) == 1 and "Action=AssumeRole" in faulty.sts_requests[0]
    assert faulty.api_requests == []


@pytest.mark.parametrize("faulty", ["expired token"], indirect=True)
def test_an_expired_token_is_not_retried(faulty: Setup) -> None:
    with pytest.raises(AwsSetupError):
        PersonalizeService(build_clients(Settings.from_env())).list_dataset_groups()
    assert len(faulty.api_requests) == 1


@pytest.mark.parametrize("faulty", list(FAULTS), indirect=True)
def test_the_refresh_cli_prints_one_json_line_and_exits_2(
    faulty: Setup, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    out = io.StringIO()
    code = main(["history", "--dataset-group", "shop", "--json"], out=out)
    lines = out.getvalue().splitlines()
    assert code == 2
    assert [json.loads(line) for line in lines] == [
        {"event": "error", "message": f"error: {faulty.says}"}
    ]
    assert capsys.readouterr().err == ""
    # botocore's "Refreshing temporary credentials failed" with its traceback is not logged
    assert not [r for r in caplog.records if r.name.startswith("botocore")]


@pytest.mark.parametrize(
    ("faulty", "argv"),
    [
        ("missing profile", ["status"]),
        ("dashboard role refused", ["status", "--dataset-group", "shop"]),
    ],
    indirect=["faulty"],
)
def test_python_m_services_pipeline_exits_2_with_one_line(faulty: Setup, argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.pipeline", *argv],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines() == [
        json.dumps({"event": "error", "message": f"error: {faulty.says}"})
    ]
    assert done.stderr == ""


@pytest.mark.parametrize("faulty", ["missing profile", "dashboard role refused"], indirect=True)
def test_the_account_badge_states_the_same_line(faulty: Setup) -> None:
    account = current_account(Settings.from_env())
    assert account.account_id is None and account.problem == faulty.says


def test_a_failed_advisory_refresh_is_a_one_line_warning(
    aws: AwsStubs, caplog: pytest.LogCaptureFixture
) -> None:
    """Inside botocore's advisory window (15 min before expiry) a refused AssumeRole keeps the
    credentials in hand; botocore's warning then names the refusal in one line."""
    t0 = datetime(2024, 1, 1, 12, tzinfo=UTC)
    now = [t0]
    base = boto3.Session(aws_access_key_id="base", aws_secret_access_key="base")
    aws_session(Settings(backend="aws", assume_role_arn=DASHBOARD_ROLE), base=base)
    provider = AssumeRoleProvider(aws.client("sts"), DASHBOARD_ROLE, clock=lambda: now[0])
    creds = provider.load()
    aws.respond(
        "sts",
        "assume_role",
        {
            "Credentials": {
                "AccessKeyId": "ASIAFIRSTEXAMPLE0",
                "SecretAccessKey": "s",
                "SessionToken": "t",
                "Expiration": t0 + timedelta(hours=1),
            }
        },
    )
    assert creds.get_frozen_credentials().access_key == "ASIAFIRSTEXAMPLE0"
    now[0] = t0 + timedelta(minutes=48)  # 12 min left: advisory, not yet mandatory
    aws.fail("sts", "assume_role", "AccessDenied", 403)
    with caplog.at_level(logging.WARNING, logger="botocore.credentials"):
        assert creds.get_frozen_credentials().access_key == "ASIAFIRSTEXAMPLE0"
    (record,) = [r for r in caplog.records if r.name == "botocore.credentials"]
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert record.getMessage().startswith(
        "Refreshing temporary credentials failed during advisory refresh period. "
        f"(AwsSetupError: PERSONALIZE_ASSUME_ROLE_ARN={DASHBOARD_ROLE}: STS refused AssumeRole "
        "(AccessDenied: AccessDenied from the stub);"
    )
