"""A one-campaign shop on the local engine for refresh tests, with good and noisy data files.

``good.csv`` has structure (users mostly view items of their own cluster), ``noise.csv`` the
same users and items viewed at random, so a version trained on ``good`` scores a clearly
higher NDCG@10 on its hold-out users than one trained on ``noise`` (checked in
test_refresh.py by reading both versions' metrics, not assumed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from services.config import Settings
from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline import Pipeline, RunStore
from services.store.tables import Store
from tests.local.workspace import (
    START,
    create_group,
    train,
    wait_for,
    write_events,
    write_interactions,
)


@dataclass
class Shop:
    settings: Settings
    clients: Clients
    service: PersonalizeService
    runs: RunStore
    store: Store
    pipeline: Pipeline
    group: str
    dataset: str
    solution: str
    v1: str
    campaign: str
    good: str  # s3:// URIs of the data files
    noise: str
    tiny: str

    def served(self) -> str | None:
        return self.service.describe_campaign(self.campaign).solution_version_arn

    def import_now(self, uri: str) -> None:
        p = self.clients.personalize
        job = p.create_dataset_import_job(
            jobName=f"direct-{uri.rsplit('/', 1)[-1].split('.')[0]}",
            datasetArn=self.dataset,
            dataSource={"dataLocation": uri},
        )["datasetImportJobArn"]
        done = wait_for(
            lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")


def write_noise(path: Path, users: int = 60, items: int = 90, per_user: int = 30) -> None:
    rng = np.random.default_rng(7)
    write_events(
        path,
        (
            (f"u{u}", f"i{int(rng.integers(items))}", START + u * 1000 + k * 10, "view")
            for u in range(users)
            for k in range(per_user)
        ),
    )


def build_shop(data_dir: Path, *, initial: str = "good") -> Shop:
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws = create_group(clients, data_dir)
    s3 = data_dir / "s3" / "bucket" / "shop"
    write_interactions(s3 / "good.csv")
    write_noise(s3 / "noise.csv")
    write_interactions(s3 / "tiny.csv", users=10, per_user=110)
    service = PersonalizeService(clients)
    runs = RunStore(settings.dashboard_db_url)
    store = Store(settings.dashboard_db_url)
    pipeline = Pipeline(service, runs, settings, store=store, poll_s=0.02, lock_seconds=5.0)
    shop = Shop(
        settings,
        clients,
        service,
        runs,
        store,
        pipeline,
        ws["group"],
        ws["dataset"],
        "",
        "",
        "",
        "s3://bucket/shop/good.csv",
        "s3://bucket/shop/noise.csv",
        "s3://bucket/shop/tiny.csv",
    )
    if initial == "noise":
        shop.import_now(shop.noise)
    shop.solution, shop.v1 = train(clients, ws["group"], "shop-up", "aws-user-personalization")
    p = clients.personalize
    shop.campaign = p.create_campaign(name="shop-campaign", solutionVersionArn=shop.v1)[
        "campaignArn"
    ]
    wait_for(lambda: p.describe_campaign(campaignArn=shop.campaign), "campaign")
    return shop


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """The campaign serves a version trained on good data."""
    yield build_shop(tmp_path / "data")
    reset_engines()
    dispose_engines()


@pytest.fixture
def noisy_shop(tmp_path: Path) -> Iterator[Shop]:
    """The campaign serves a version trained on noise."""
    yield build_shop(tmp_path / "data", initial="noise")
    reset_engines()
    dispose_engines()


@pytest.fixture
def shop_env(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """The shop, and the environment a CLI process needs to reach it."""
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(shop.settings.data_dir))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    for key in ("PERSONALIZE_ENDPOINT_URL", "DASHBOARD_DB_URL", "LOCAL_ENGINE_DB_URL"):
        monkeypatch.delenv(key, raising=False)
    return shop
