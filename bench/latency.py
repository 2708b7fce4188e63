"""GetRecommendations latency on a user-personalization model, in-process and over HTTP.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/latency.py [--interactions 1000000]

The data set is generated like bench/scale.py's (items ≈ 2 % of interactions, power-law
popularity), imported through CreateDatasetImportJob and trained through
CreateSolutionVersion: the engine's public path. Then, for numResults=25 and after 100 warm-up
requests, 1,000 requests each: the model alone (score_user + top-k: the baseline every other row
is compared with), boto3 in-process (before-send hook, no socket), and boto3 over HTTP to
``python -m services.local serve`` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import generate  # noqa: E402
from services.config import Settings  # noqa: E402
from services.local.engine import get_engine, reset_engines  # noqa: E402
from services.local.models import ranking  # noqa: E402
from services.personalize.clients import build_clients  # noqa: E402
from tests.local.server import EngineServer  # noqa: E402
from tests.local.workspace import INTERACTIONS_SCHEMA, wait_for  # noqa: E402

REQUESTS = 1000
WARMUP = 100


def build(data_dir: Path, n: int) -> tuple[str, list[str], dict[str, float]]:
    """Import n interactions and train user personalization; returns campaign, users, timings."""
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process")
    clients = build_clients(settings)
    p = clients.personalize
    frame = generate(n).interactions
    csv_path = data_dir / "s3" / "bench" / "interactions.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    frame[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]].to_csv(csv_path, index=False)
    timings = {}
    schema = p.create_schema(name="bench", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    group = p.create_dataset_group(name="bench")["datasetGroupArn"]
    dataset = p.create_dataset(
        name="bench", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    t = time.perf_counter()
    job = p.create_dataset_import_job(
        jobName="bench",
        datasetArn=dataset,
        dataSource={"dataLocation": "s3://bench/interactions.csv"},
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job),
        "datasetImportJob",
        timeout=1800,
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    timings["import s"] = time.perf_counter() - t
    solution = p.create_solution(
        name="bench",
        datasetGroupArn=group,
        recipeArn="arn:aws:personalize:::recipe/aws-user-personalization",
    )
    t = time.perf_counter()
    version = p.create_solution_version(solutionArn=solution["solutionArn"])["solutionVersionArn"]
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=3600,
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    timings["train s"] = time.perf_counter() - t
    campaign = p.create_campaign(name="bench", solutionVersionArn=version)["campaignArn"]
    rng = np.random.default_rng(1)
    users = list(rng.choice(frame["USER_ID"].unique(), size=REQUESTS + WARMUP))
    reset_engines()
    return campaign, users, timings


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p99 and mean in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    return ms[len(ms) // 2], ms[int(len(ms) * 0.99) - 1], statistics.fmean(ms)


def time_calls(call: object, users: list[str]) -> list[float]:
    for user in users[:WARMUP]:
        call(user)  # type: ignore[operator]
    out = []
    for user in users[WARMUP:]:
        t = time.perf_counter()
        call(user)  # type: ignore[operator]
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        campaign, users, timings = build(data_dir, args.interactions)
        settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
        clients = build_clients(settings)
        engine = get_engine(settings)
        with engine.tx() as res:
            version = res.get(
                res.get(campaign, "campaign")["solutionVersionArn"], "solution-version"
            )
        loaded = engine.models.get(version)

        def model_only(user: str) -> None:
            scores = loaded.model.score_user(user, [])
            ranking.top_k(scores, 25)

        rows = {"model only (baseline)": time_calls(model_only, users)}
        rt = clients.runtime
        rows["boto3 in-process"] = time_calls(
            lambda u: rt.get_recommendations(campaignArn=campaign, userId=u, numResults=25), users
        )
        reset_engines()
        server = EngineServer(data_dir, PERSONALIZE_LOCAL_WORKER="thread").start()
        try:
            http = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir)).runtime
            rows["boto3 over HTTP"] = time_calls(
                lambda u: http.get_recommendations(campaignArn=campaign, userId=u, numResults=25),
                users,
            )
        finally:
            server.stop()
    base = percentiles(rows["model only (baseline)"])[0]
    print(
        f"{args.interactions:,} interactions: "
        + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
    )
    print(f"GetRecommendations, numResults 25, {REQUESTS} requests after {WARMUP} warm-up")
    print("| path | p50 ms | p99 ms | mean ms | p50 / baseline p50 |")
    print("|---|---|---|---|---|")
    for name, samples in rows.items():
        p50, p99, mean = percentiles(samples)
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {mean:.2f} | {p50 / base:.1f}× |")


if __name__ == "__main__":
    main()
