"""Nightly refresh of a Personalize dataset group, as an Airflow DAG.

Copy this file into your Airflow ``dags/`` folder and set the three constants. The task runs
``.venv/bin/python -m services.pipeline refresh`` in PROJECT_DIR (the project's venv, as the
README's cron line does) on a worker that has this project installed and the
dashboard's environment (PERSONALIZE_BACKEND, AWS_REGION, PERSONALIZE_ROLE_ARN,
DASHBOARD_DB_URL pointing at the shared store). The command's exit code decides the task's
state: 0 succeeded; 3 (a guardrail kept a campaign on its version) and 1 (failed) fail the
task, so Airflow alerts and retries as configured. A second trigger while a run is going
attaches to it rather than starting another.

Airflow 3 (checked with 3.3.2 and apache-airflow-providers-standard 1.21.0) takes the DAG
from ``airflow.sdk`` and BashOperator from the standard provider; Airflow 2.x falls back to
``airflow.operators.bash``. The file imports without Airflow installed (it then only builds
the command line), so it can be checked in CI.
"""

from __future__ import annotations

import shlex
from datetime import datetime, timedelta

DATASET_GROUP = "shop"
DATA_LOCATION = "s3://my-bucket/personalize/interactions/{{ ds }}/"  # Airflow fills in {{ ds }}
PROJECT_DIR = "/opt/personalize-dashboard"


def refresh_command(
    dataset_group: str = DATASET_GROUP,
    data: str | None = DATA_LOCATION,
    *,
    import_mode: str = "INCREMENTAL",
    training_mode: str = "FULL",
    tolerance_pct: float = 2.0,
    python: str = ".venv/bin/python",  # the project's venv, as in the README's cron line
) -> str:
    """The shell command the task runs (JSON lines on stdout go to the task log)."""
    argv = [python, "-m", "services.pipeline", "refresh", "--dataset-group", dataset_group]
    if data:
        argv += ["--data", data, "--import-mode", import_mode]
    argv += ["--training-mode", training_mode, "--tolerance", f"{tolerance_pct:g}"]
    # Airflow renders {{ ds }} before bash runs, so it may sit inside the shell quotes.
    return f"cd {shlex.quote(PROJECT_DIR)} && " + shlex.join(argv)


try:  # Airflow 3: the task SDK's DAG, BashOperator from the standard provider
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:
    try:  # Airflow 2.x (airflow.operators.bash is deprecated on Airflow 3)
        from airflow import DAG
        from airflow.operators.bash import BashOperator
    except ImportError:  # importable without Airflow: tests check the command line only
        DAG = None

if DAG is not None:
    with DAG(
        dag_id=f"personalize_refresh_{DATASET_GROUP}",
        schedule="0 2 * * *",  # nightly at 02:00 (the scheduler's time zone)
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
        tags=["personalize"],
    ) as dag:
        BashOperator(
            task_id="refresh",
            bash_command=refresh_command(),
            execution_timeout=timedelta(hours=14),
        )
