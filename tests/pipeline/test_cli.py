"""``python -m services.pipeline``: exit codes, JSON lines, attach, and a killed process."""

from __future__ import annotations

import getpass
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline import RefreshOptions
from services.pipeline.cli import main
from services.pipeline.runs.records import RUNNING
from tests.pipeline.conftest import Shop

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--poll-seconds", "0.05"]


def _cli(*argv: str) -> tuple[int, list[dict]]:
    out = io.StringIO()
    code = main([*FAST, *argv], out=out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_success_exits_0_with_json_lines(shop_env: Shop) -> None:
    code, lines = _cli("refresh", "--dataset-group", "shop", "--tolerance", "100")
    assert code == 0
    assert lines[0]["event"] == "started"
    assert lines[-1]["event"] == "run" and lines[-1]["status"] == "SUCCEEDED"
    finished = [
        line["kind"] for line in lines if line["event"] == "step" and line["status"] != RUNNING
    ]
    assert finished == ["plan", "train", "guardrail", "deploy", "verify"]
    assert shop_env.served() != shop_env.v1
    code, lines = _cli("history")
    assert code == 0 and len(lines) == 1 and lines[0]["status"] == "SUCCEEDED"


def test_guardrail_refusal_exits_3(shop_env: Shop) -> None:
    code, lines = _cli(
        "refresh", "--dataset-group", "shop", "--data", shop_env.noise, "--tolerance", "5"
    )
    assert code == 3
    assert lines[-1]["status"] == "REFUSED" and lines[-1]["guardrails"][0]["allowed"] is False
    assert "test users" in lines[-1]["reason"] and "run again with --force" in lines[-1]["reason"]
    assert _cli("status", "--dataset-group", "shop")[0] == 3


def test_a_failed_run_exits_1(shop_env: Shop) -> None:
    code, lines = _cli("refresh", "--dataset-group", "shop", "--data", "s3://bucket/shop/none.csv")
    assert code == 1
    assert "no file at s3://bucket/shop/none.csv" in lines[-1]["reason"]


def test_bad_usage_exits_2(shop_env: Shop) -> None:
    code, lines = _cli("refresh", "--dataset-group", "nope")
    assert code == 2 and "no dataset group 'nope' (there are: shop)" in lines[-1]["message"]
    assert _cli("refresh", "--dataset-group", "shop", "--tolerance", "-1")[0] == 2


def test_no_wait_exits_4_when_a_run_is_in_progress(shop_env: Shop) -> None:
    group = shop_env.pipeline.resolve_group("shop")
    busy = shop_env.runs.claim(
        group.arn,
        "shop",
        options=RefreshOptions().to_dict(),
        trigger="test",
        actor="other",
        owner="another-process",
        lock_seconds=600,
    )
    code, lines = _cli("refresh", "--dataset-group", "shop", "--no-wait")
    assert code == 4
    assert lines == [
        {
            "event": "already_running",
            "run": busy.run_id,
            "message": f"Refresh #{busy.run_id} of shop is already running.",
        }
    ]
    assert len(shop_env.runs.history()) == 1


def _spawn(shop: Shop, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.pipeline", *FAST, *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_triggers_make_one_run(shop_env: Shop) -> None:
    # The run must outlast the gap between the two processes' starts (seconds on a loaded
    # machine), so training takes at least 3 s. Only the CLI processes' workers may train it:
    # this process's engine (its worker would claim the job, without the floor) is closed.
    reset_engines()
    slow = {"PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS": "3"}
    args = ("refresh", "--dataset-group", "shop", "--tolerance", "100")
    first, second = _spawn(shop_env, *args, env=slow), _spawn(shop_env, *args, env=slow)
    outs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs
    events = [[json.loads(line) for line in out.splitlines()] for out, _ in outs]
    assert min(e[-1]["seconds"] for e in events) >= 3
    assert sorted(e[0]["event"] for e in events) == ["attached", "started"]
    assert events[0][-1]["run"] == events[1][-1]["run"]
    assert events[0][-1]["status"] == events[1][-1]["status"] == "SUCCEEDED"
    assert len(shop_env.runs.history()) == 1
    service = PersonalizeService(build_clients(shop_env.settings))
    assert len(service.list_solution_versions(shop_env.solution)) == 2


def test_a_run_killed_mid_training_is_resumed_by_the_next_start(shop_env: Shop) -> None:
    args = ("refresh", "--dataset-group", "shop", "--tolerance", "100")
    doomed = _spawn(
        shop_env,
        "--lock-seconds",
        "1",
        *args,
        env={"PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS": "30"},
    )
    deadline = time.monotonic() + 60
    run = None
    while time.monotonic() < deadline:
        runs = shop_env.runs.history(with_steps=True)
        if runs and any(s.kind == "train" and s.detail.get("version_arn") for s in runs[0].steps):
            run = runs[0]
            break
        time.sleep(0.1)
    assert run is not None, doomed.stderr.read() if doomed.poll() is not None else "no training"
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    time.sleep(1.2)  # the dead process's lock expires
    assert shop_env.runs.get(run.id).stale
    again = _spawn(shop_env, *args)
    out, err = again.communicate(timeout=120)
    lines = [json.loads(line) for line in out.splitlines()]
    assert again.returncode == 0, (out, err)
    assert err == ""  # the process's stderr: its warning is a JSON line on stdout
    logged = [line["message"] for line in lines if line["event"] == "log"]
    assert any(m.startswith(f"resuming refresh #{run.id} of shop") for m in logged), logged
    (first,) = [line for line in lines if line["event"] != "log"][:1]
    assert first["event"] == "resumed" and first["run"] == run.id
    final = shop_env.runs.get(run.id)
    assert final.status == "SUCCEEDED" and final.resumes == 1
    version = run.step(next(s.key for s in run.steps if s.kind == "train")).detail["version_arn"]
    assert shop_env.served() == version  # the version the killed process had started
    assert len(shop_env.service.list_solution_versions(shop_env.solution)) == 2


def test_no_deploy_exits_0_when_the_guardrail_would_refuse_and_json_goes_after_the_command(
    shop_env: Shop,
) -> None:
    code, lines = _cli(
        "refresh",
        "--dataset-group",
        "shop",
        "--data",
        shop_env.noise,
        "--tolerance",
        "5",
        "--no-deploy",
        "--json",
    )
    assert code == 0
    assert lines[-1]["status"] == "SUCCEEDED"
    assert lines[-1]["guardrails"][0]["allowed"] is False
    assert shop_env.served() == shop_env.v1


def test_json_is_accepted_before_or_after_the_command() -> None:
    from services.pipeline.cli import _parser

    assert _parser().parse_args(["--json", "history"]).json is True
    assert _parser().parse_args(["history", "--json"]).json is True
    assert _parser().parse_args(["history"]).json is False


def test_an_unknown_solution_or_group_is_a_usage_error_before_any_run(shop_env: Shop) -> None:
    code, lines = _cli("refresh", "--dataset-group", "shop", "--solution", "nope")
    assert code == 2
    assert lines == [
        {"event": "error", "message": "error: no solution nope in shop (it has: shop-up)"}
    ]
    assert shop_env.runs.history() == []  # nothing started, nothing recorded as FAILED
    assert shop_env.store.recent_actions() == []
    for command in ("status", "history"):
        code, lines = _cli(command, "--dataset-group", "nope")
        assert code == 2 and "no dataset group 'nope'" in lines[-1]["message"]
    assert shop_env.runs.history() == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--metric", "nope"), "error: unknown metric 'nope': the guardrail compares one of"),
        (("--data", "foo=s3://x/y.csv"), "dataset type must be one of INTERACTIONS, ITEMS"),
        (("--data", "/etc/passwd"), "/etc/passwd is not an S3 location"),
    ],
)
def test_bad_options_are_usage_errors_before_anything_is_trained(
    shop_env: Shop, argv: tuple[str, ...], message: str
) -> None:
    versions = shop_env.service.list_solution_versions(shop_env.solution)
    code, lines = _cli("refresh", "--dataset-group", "shop", "--no-deploy", *argv)
    assert code == 2
    assert lines[-1]["event"] == "error" and message in lines[-1]["message"], lines
    assert shop_env.runs.history() == [] and shop_env.store.recent_actions() == []
    assert shop_env.service.list_solution_versions(shop_env.solution) == versions


def test_history_limit_below_one_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from services.pipeline.cli import _parser

    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["history", "--limit", "-1"])
    assert exit_.value.code == 2
    assert "must be at least 1, not -1" in capsys.readouterr().err


def test_warnings_are_json_lines_on_stdout_and_nothing_on_stderr(
    shop_env: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron line appends stdout to a .jsonl file: a run resumed after its process died logs
    a warning, which must arrive there as a JSON event, not as a text line."""
    group = shop_env.pipeline.resolve_group("shop")
    dead = shop_env.runs.claim(
        group.arn,
        "shop",
        options=RefreshOptions(tolerance_pct=100).to_dict(),
        trigger="cli",
        actor="someone",
        owner="a-process-that-died",
        lock_seconds=0.0,  # expired at once: the next trigger resumes it
    )
    code, lines = _cli("refresh", "--dataset-group", "shop", "--tolerance", "100")
    assert code == 0
    (warning,) = [line for line in lines if line["event"] == "log"]
    assert warning["level"] == "WARNING" and warning["logger"] == "services.pipeline.control"
    assert warning["message"] == f"resuming refresh #{dead.run_id} of shop: its process stopped"
    assert lines[-1]["event"] == "run" and lines[-1]["run"] == dead.run_id
    assert capsys.readouterr().err == ""


def test_the_history_says_who_and_from_where_once(shop_env: Shop) -> None:
    from dashboard.components.operations.refresh import history_frame

    assert _cli("refresh", "--dataset-group", "shop", "--tolerance", "100")[0] == 0
    user = getpass.getuser()
    assert history_frame(shop_env.runs.history())["by"].tolist() == [f"{user} (cli)"]
    (refresh,) = [a for a in shop_env.store.recent_actions() if a.action == "refresh"]
    assert refresh.actor == f"{user} (cli)"


class _Terminal(io.StringIO):
    """Output that says it is a terminal, as a person's shell is (text lines, not JSON)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def empty_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A local workspace where no refresh ever ran (no dataset group either)."""
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    for key in ("PERSONALIZE_ENDPOINT_URL", "DASHBOARD_DB_URL", "LOCAL_ENGINE_DB_URL"):
        monkeypatch.delenv(key, raising=False)
    yield tmp_path / "data"
    reset_engines()
    dispose_engines()


@pytest.mark.parametrize("command", ["history", "status"])
def test_with_no_run_yet_history_and_status_say_so_and_exit_0(
    empty_env: Path, command: str
) -> None:
    """``history`` printed nothing off a terminal (JSON mode) while ``status`` said "No refresh
    run yet.": both now say it, as text on a terminal and as one JSON event elsewhere."""
    terminal = _Terminal()
    assert main([command], out=terminal) == 0
    assert terminal.getvalue() == "No refresh run yet.\n"
    code, lines = _cli(command)
    assert code == 0
    assert lines == [{"event": "empty", "message": "No refresh run yet."}]
