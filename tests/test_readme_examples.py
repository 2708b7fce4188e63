"""The README's commands say what the code does: the demo user in the AWS CLI example exists,
`make demo` is described as refusing an existing shop, and the cron line and the Airflow DAG
run the same interpreter."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

from services.demo.data import generate

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_cli_example_asks_for_a_user_the_demo_creates() -> None:
    (user,) = re.findall(r"--user-id (\S+)", README)
    # Known to the model: the user has events in the bulk import the campaign is trained on.
    assert user in set(generate(now=1_735_689_600).interactions["USER_ID"])


def test_make_demo_is_not_described_as_recreating_the_shop() -> None:
    (row,) = [line for line in README.splitlines() if line.startswith("| `make demo` |")]
    assert "(re)creates" not in row and "refuses and changes nothing" in row


def test_cron_and_airflow_run_the_same_interpreter() -> None:
    (cron,) = [line for line in README.splitlines() if "services.pipeline refresh" in line
               and line[:1].isdigit()]  # fmt: skip
    cron_python = cron.split("&&")[1].split()[0]
    spec = importlib.util.spec_from_file_location("dag", ROOT / "examples/airflow_refresh_dag.py")
    assert spec and spec.loader
    dag = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dag)
    dag_python = shlex.split(dag.refresh_command().partition(" && ")[2])[0]
    assert dag_python == cron_python == ".venv/bin/python"
