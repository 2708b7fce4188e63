"""The Airflow example against a real Airflow: run by ``.ci/airflow-check`` with the Python of
``.ci/airflow-venv`` (Airflow 3.3.2, pinned in ``.ci/airflow-constraints.txt``), never by pytest.

1. The shipped ``examples/airflow_refresh_dag.py`` loads in a real ``DagBag``: no import error,
   no warning (Airflow 3 warns on ``airflow.operators.bash``), one DAG with one BashOperator of
   the standard provider, and the exact command line below.
2. A copy pointed at a seeded demo shop (the three constants the file says to set, and a 1 s
   retry delay so a failure retries now instead of in 30 minutes) runs under
   ``airflow dags test``:
   - the night whose data is there (``{{ ds }}`` rendered into the data location): the task
     succeeds once and its log holds the refresh's JSON lines, ending in a SUCCEEDED run that
     imported that night's file;
   - the night whose data never arrived: the refresh fails (exit 1), so the task fails, is
     retried once as configured and fails again; ``dags test`` exits non-zero.
   The run history the project itself keeps (``services.pipeline history``) says the same.

Usage: ``airflow_check.py --demo DATA_DIR --work DIR`` (DATA_DIR: a seeded demo shop).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "airflow_refresh_dag.py"
SHIPPED_COMMAND = (
    "cd /opt/personalize-dashboard && .venv/bin/python -m services.pipeline refresh"
    " --dataset-group shop --data 's3://my-bucket/personalize/interactions/{{ ds }}/'"
    " --import-mode INCREMENTAL --training-mode FULL --tolerance 2"
)
DEMO_GROUP = "demo-shop"
DAG_ID = f"personalize_refresh_{DEMO_GROUP}"
NIGHT_WITH_DATA = "2026-12-05"
NIGHT_WITHOUT = "2026-12-06"
DAGS_TEST_SECONDS = 600  # one refresh of the demo takes about a minute on two busy cores


def fail(message: str) -> None:
    print(f"airflow check FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def airflow_env(home: Path, dags: Path) -> None:
    """Airflow reads its home and settings when first imported: set them before that."""
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__LOGGING__COLORED_CONSOLE_LOG="False",
    )


def check_dagbag(folder: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.standard.operators.bash import BashOperator

    folder.mkdir(parents=True)
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    bag = DagBag(dag_folder=str(folder))
    check(not bag.import_errors, f"import errors: {bag.import_errors}")
    check(not bag.captured_warnings, f"warnings while loading: {bag.captured_warnings}")
    check(list(bag.dags) == ["personalize_refresh_shop"], f"DAGs: {list(bag.dags)}")
    dag = bag.dags["personalize_refresh_shop"]
    check(len(dag.tasks) == 1, f"tasks: {[t.task_id for t in dag.tasks]}")
    task = dag.tasks[0]
    check(isinstance(task, BashOperator), f"task is a {type(task).__module__}.{type(task)}")
    check(task.task_id == "refresh", f"task id {task.task_id}")
    check(task.bash_command == SHIPPED_COMMAND, f"command line {task.bash_command!r}")
    cron = getattr(dag.timetable, "expression", None)
    check(cron == "0 2 * * *", f"schedule {dag.timetable}")
    check(dag.max_active_runs == 1, f"max_active_runs {dag.max_active_runs}")
    check(task.retries == 1, f"retries {task.retries}")
    print(f"DagBag: {EXAMPLE.name} loads, one task, command line: {task.bash_command}")


def demo_copy(dags: Path, demo: Path) -> None:
    """The example with its three constants set for the demo shop (as the docstring says to)
    and a 1 s retry delay, each replaced exactly once."""
    text = EXAMPLE.read_text()
    for pattern, value in (
        (r'^DATASET_GROUP = ".*"$', f'DATASET_GROUP = "{DEMO_GROUP}"'),
        (r"^DATA_LOCATION = .*$", f'DATA_LOCATION = "s3://{DEMO_GROUP}/nightly/{{{{ ds }}}}/"'),
        (r"^PROJECT_DIR = .*$", f"PROJECT_DIR = {str(ROOT)!r}"),
        (r"timedelta\(minutes=30\)", "timedelta(seconds=1)"),
    ):
        text, n = re.subn(pattern, value, text, flags=re.MULTILINE)
        check(n == 1, f"{pattern!r} matched {n} times in {EXAMPLE.name}")
    dags.mkdir(parents=True)
    (dags / EXAMPLE.name).write_text(text)
    night = demo / "s3" / DEMO_GROUP / "nightly" / NIGHT_WITH_DATA
    night.mkdir(parents=True)
    shutil.copy(demo / "s3" / DEMO_GROUP / "interactions.csv", night / "interactions.csv")


def run(argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    start = time.monotonic()
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    print(f"  {' '.join(argv[-3:])}: exit {done.returncode} in {time.monotonic() - start:.0f} s")
    return done


def json_lines(output: str) -> list[dict[str, Any]]:
    """The refresh's JSON lines, as the task logged them (one per log line, after its prefix)."""
    decoder = json.JSONDecoder()
    found = []
    for line in output.splitlines():
        at = line.find('{"event": ')
        if at >= 0:
            found.append(decoder.raw_decode(line, at)[0])
    return found


def task_state(night: str) -> tuple[str, int]:
    """The state and try number Airflow recorded for the night's refresh task."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    logical_date = datetime.fromisoformat(night).replace(tzinfo=UTC)
    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance)
            .join(
                DagRun,
                (TaskInstance.dag_id == DagRun.dag_id) & (TaskInstance.run_id == DagRun.run_id),
            )
            .where(DagRun.dag_id == DAG_ID, DagRun.logical_date == logical_date)
        ).all()
        check(len(tis) == 1, f"{len(tis)} task instances of {DAG_ID} on {night}")
        return str(tis[0].state), int(tis[0].try_number)


def history(env: dict[str, str]) -> list[dict[str, Any]]:
    """The refresh runs the project recorded, newest first (its own store, not Airflow's)."""
    argv = [str(ROOT / ".venv/bin/python"), "-m", "services.pipeline", "history"]
    done = run([*argv, "--dataset-group", DEMO_GROUP, "--json"], env, 120)
    check(done.returncode == 0, f"history failed: {done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def dags_test(env: dict[str, str], night: str) -> tuple[int, list[dict[str, Any]], str]:
    """``airflow dags test`` of the night: exit code, the refresh's JSON lines, and the end of
    its output to show with a failure (the scratch folder is deleted on exit)."""
    argv = [str(Path(sys.executable).parent / "airflow"), "dags", "test", DAG_ID, night]
    done = run(argv, env, DAGS_TEST_SECONDS)
    output = done.stdout + done.stderr
    tail = "\n".join(output.splitlines()[-40:])
    return done.returncode, json_lines(output), f"\n--- end of the dags test output ---\n{tail}"


def check_dags_test(demo: Path) -> None:
    env = dict(os.environ)
    for key in ("PERSONALIZE_ENDPOINT_URL", "DASHBOARD_DB_URL", "LOCAL_ENGINE_DB_URL"):
        env.pop(key, None)
    env.update(
        PERSONALIZE_BACKEND="local",
        PERSONALIZE_DATA_DIR=str(demo),
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0",
        AWS_EC2_METADATA_DISABLED="true",
    )
    migrate = run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env, 300)
    check(migrate.returncode == 0, f"airflow db migrate: {migrate.stderr[-2000:]}")

    code, lines, where = dags_test(env, NIGHT_WITH_DATA)
    check(code == 0, f"dags test of {NIGHT_WITH_DATA} exited {code} {where}")
    runs = [e for e in lines if e["event"] == "run"]
    check(len(runs) == 1, f"{len(runs)} refresh runs in the task log {where}")
    check(runs[0]["status"] == "SUCCEEDED", f"refresh {runs[0]} {where}")
    check(runs[0]["dataset_group"] == DEMO_GROUP, f"refresh of {runs[0]['dataset_group']}")
    location = f"s3://{DEMO_GROUP}/nightly/{NIGHT_WITH_DATA}/"
    started = [e for e in lines if e["event"] == "started"]
    check(len(started) == 1 and location in started[0]["message"], f"not {location}: {started}")
    steps = {e["step"]: e["status"] for e in lines if e["event"] == "step"}
    check(steps.get("import:INTERACTIONS") == "SUCCEEDED", f"import: {steps}")
    deployed = [s for s, status in steps.items() if s.startswith("deploy:")]
    check(bool(deployed) and all(steps[s] == "SUCCEEDED" for s in deployed), f"{steps}")
    check(task_state(NIGHT_WITH_DATA) == ("success", 1), f"task: {task_state(NIGHT_WITH_DATA)}")
    recorded = history(env)[0]
    check((recorded["run"], recorded["status"]) == (runs[0]["run"], "SUCCEEDED"), str(recorded))
    print(f"dags test {NIGHT_WITH_DATA}: refresh #{runs[0]['run']} SUCCEEDED, task success")

    code, lines, where = dags_test(env, NIGHT_WITHOUT)
    check(code != 0, f"dags test of {NIGHT_WITHOUT} exited 0 though its data is missing {where}")
    runs = [e for e in lines if e["event"] == "run"]
    check(len(runs) == 2, f"{len(runs)} refresh runs (one try and one retry expected) {where}")
    missing = f"no file at s3://{DEMO_GROUP}/nightly/{NIGHT_WITHOUT}/"
    for r in runs:
        check(r["status"] == "FAILED" and missing in r["reason"], f"refresh {r} {where}")
    check(task_state(NIGHT_WITHOUT) == ("failed", 2), f"task: {task_state(NIGHT_WITHOUT)}")
    recorded = history(env)[:2]
    check([r["status"] for r in recorded] == ["FAILED", "FAILED"], str(recorded))
    print(f"dags test {NIGHT_WITHOUT}: both tries' refreshes FAILED ({missing}), task failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, required=True, help="a seeded demo shop")
    parser.add_argument("--work", type=Path, required=True, help="an empty scratch folder")
    args = parser.parse_args()
    airflow_env(args.work / "airflow-home", args.work / "dags")
    start = time.monotonic()
    check_dagbag(args.work / "shipped")
    demo_copy(args.work / "dags", args.demo)
    check_dags_test(args.demo)
    print(f"Airflow check passed in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
