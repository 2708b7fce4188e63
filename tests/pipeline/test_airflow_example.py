"""The Airflow example imports without Airflow, and its command is one the CLI accepts."""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path

from services.pipeline.cli import _parser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "airflow_refresh_dag.py"


def test_the_dag_file_imports_and_builds_a_valid_command() -> None:
    spec = importlib.util.spec_from_file_location("airflow_refresh_dag", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    command = module.refresh_command(data="s3://b/{{ ds }}/")
    cd, _, run = command.partition(" && ")
    assert cd == "cd /opt/personalize-dashboard"
    argv = shlex.split(run)
    assert argv[:3] == [".venv/bin/python", "-m", "services.pipeline"]
    args = _parser().parse_args(argv[3:])
    assert (args.command, args.dataset_group, args.data) == (
        "refresh",
        "shop",
        ["s3://b/{{ ds }}/"],
    )
    assert (args.import_mode, args.training_mode, args.tolerance) == ("INCREMENTAL", "FULL", 2.0)
