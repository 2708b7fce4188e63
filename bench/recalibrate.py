"""Calibrate a kept shop's trained model again, without retraining it.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/recalibrate.py DATA_DIR
     [--recipe aws-user-personalization-v2 | --recipe aws-user-personalization]

The last step of a solution version's final fit, ``for_serving`` (the candidate index built
and its search calibrated on sampled users' query vectors, ``recipes/retrieval/``), run
again on the newest ACTIVE version of ``--recipe`` in an engine data directory (one that
``bench/seed_scale.py --serving --keep DIR`` left), with the group's interactions read and
filtered as training reads them; the model file and the version's training report are
rewritten. The network or factors are the trained ones: on the shared two-core machine a v2
training of the 500,000-item shop takes about half an hour, and an index calibrated this way
is the one that training would have saved for the same weights. aws-user-personalization
calibrates on the histories its model keeps, so the group's interactions are not read for it
(on the ×10 shop, 30,000,000 events).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from services.config import Settings  # noqa: E402
from services.local.engine import get_engine  # noqa: E402
from services.local.jobs.tasks.training import (  # noqa: E402
    load_training_data,
    training_config,
    training_summary,
)
from services.local.models import training  # noqa: E402
from services.local.models.recipes import get_recipe  # noqa: E402
from services.local.models.recipes.base import TrainingData  # noqa: E402

V2 = "aws-user-personalization-v2"


def recalibrate(data_dir: Path, recipe_name: str) -> str:
    """Run ``recipe_name``'s ``for_serving`` again on its newest ACTIVE version in
    ``data_dir`` and save the result; the version's training report summary afterwards."""
    engine = get_engine(Settings(data_dir=data_dir, lifecycle_seconds=0.0))
    with engine.reading() as res:
        versions = [
            v
            for v in res.all("solution-version")
            if v.get("status") == "ACTIVE" and v.get("_recipeName") == recipe_name
        ]
        if not versions:
            raise SystemExit(f"no ACTIVE {recipe_name} version in {data_dir}")
        doc = versions[-1]  # ``all`` lists the oldest first
        solution = res.get(doc["solutionArn"], "solution")
    config = training_config(solution)
    path = data_dir / doc["_modelPath"]
    t = time.perf_counter()
    if recipe_name == V2:
        data = load_training_data(engine, solution["datasetGroupArn"])
        data = training.check_minimums(data, config)
    else:  # its for_serving reads the histories the model keeps
        data = TrainingData(interactions=pd.DataFrame())
    model = training.load_model(recipe_name, path)
    print(f"read the data and the model in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    model = get_recipe(recipe_name).for_serving(model, config, data)  # type: ignore[attr-defined]
    print(f"index built and calibrated in {time.perf_counter() - t:.1f} s", flush=True)
    model.save(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"saved; peak RSS {peak:.2f} GiB", flush=True)
    report = {**(doc.get("_trainingReport") or {}), **training.training_report_of(model)}
    with engine.tx() as res:
        fresh = res.get(doc["solutionVersionArn"], "solution-version")
        fresh["_trainingReport"] = report
        res.save(doc["solutionVersionArn"], fresh)
    return training_summary(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--recipe", default=V2)
    args = parser.parse_args()
    print(recalibrate(args.data_dir, args.recipe))


if __name__ == "__main__":
    main()
