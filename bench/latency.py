"""GetRecommendations latency on a user-personalization model, in-process and over HTTP.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/latency.py [--interactions 1000000]

The data set is generated like bench/scale.py's (items ≈ 2 % of interactions, power-law
popularity), imported through CreateDatasetImportJob and trained through
CreateSolutionVersion: the engine's public path. Then, for numResults=25 and after 100 warm-up
requests, 1,000 requests each: the model alone (score_user + top-k: the baseline every other row
is compared with), boto3 in-process (before-send hook, no socket), and boto3 over HTTP to
``python -m services.local serve`` on 127.0.0.1.

``--answer-log`` measures instead what keeping answered lists costs a request (issue #24) on
the tests' small shop group (60 users, 90 items, user personalization), in-process, 300
requests per row after 30 warm-up (the last two rows in alternating blocks of 30): the group
without an event tracker or metric attribution (the baseline), then with both, each answer's
rows written in their own transaction before the request returns (what the engine did before
its ``AnswerLog``: the request is followed by a flush of its one answer), and with both,
buffered (the engine's path now).
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
from tests.local.workspace import (  # noqa: E402
    INTERACTIONS_SCHEMA,
    create_group,
    track_and_attribute,
    train,
    wait_for,
)

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


BASELINE = "no tracker, no attribution (baseline)"
BEFORE = "tracker + attribution, one write per answer (before)"
AFTER = "tracker + attribution, buffered (after)"


def answer_log_rows(data_dir: Path, requests: int = 300) -> dict[str, list[float]]:
    """GetRecommendations timings on a small group: untracked, tracked with one write per
    answer on the request path, tracked and buffered (``--answer-log``)."""
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws = create_group(clients, data_dir)
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    p, rt = clients.personalize, clients.runtime
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    engine = get_engine(settings)
    users = [f"u{n % 60}" for n in range(requests + 30)]  # 30 warm-up requests first

    def recommend(user: str) -> None:
        rt.get_recommendations(campaignArn=campaign, userId=user, numResults=25)

    def recommend_and_write(user: str) -> None:
        recommend(user)
        engine.answers.flush()

    def timed(call: object, users: list[str]) -> list[float]:
        out = []
        for user in users:
            t = time.perf_counter()
            call(user)  # type: ignore[operator]
            out.append(time.perf_counter() - t)
        return out

    for user in users[:30]:
        recommend(user)  # warm-up: the model loaded, the caches filled
    rows = {BASELINE: timed(recommend, users[30:])}
    track_and_attribute(clients, ws["group"])
    for user in users[:30]:
        recommend_and_write(user)
    before, after = [], []
    for start in range(30, len(users), 30):  # alternating blocks: the same load on both
        block = users[start : start + 30]
        before += timed(recommend_and_write, block)
        after += timed(recommend, block)
    rows[BEFORE], rows[AFTER] = before, after
    reset_engines()
    return rows


def print_rows(rows: dict[str, list[float]], base_name: str) -> None:
    """A table of p50/p99/mean per row and each row's p50 and p99 over the baseline's."""
    base50, base99, _ = percentiles(rows[base_name])
    print("| path | p50 ms | p99 ms | mean ms | p50 / baseline p50 | p99 / baseline p99 |")
    print("|---|---|---|---|---|---|")
    for name, samples in rows.items():
        p50, p99, mean = percentiles(samples)
        print(
            f"| {name} | {p50:.2f} | {p99:.2f} | {mean:.2f} | {p50 / base50:.2f}× "
            f"| {p99 / base99:.2f}× |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--answer-log", action="store_true", help="see the module docstring")
    args = parser.parse_args()
    if args.answer_log:
        with tempfile.TemporaryDirectory() as tmp:
            rows = answer_log_rows(Path(tmp) / "data")
        print("GetRecommendations in-process, numResults 25, small group, 300 requests each")
        print_rows(rows, BASELINE)
        before = percentiles(rows[BEFORE])
        after = percentiles(rows[AFTER])
        print(f"after / before: p50 {after[0] / before[0]:.2f}×, p99 {after[1] / before[1]:.2f}×")
        return
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
