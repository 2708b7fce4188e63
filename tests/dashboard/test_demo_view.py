"""The demo shop's default views tell the story the product exists for: the deployed version
gives recent shoppers the same items, the newer version (not deployed) does not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from services.config import Settings
from services.db import dispose_engines
from services.demo.shop import seed_demo
from services.local.engine import reset_engines
from tests.dashboard.conftest import app_at

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo-view") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    assert seed_demo(settings) == 0
    reset_engines()
    dispose_engines()
    return data_dir


@pytest.fixture
def demo(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_dir
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engines()
    dispose_engines()


def test_default_recommendations_view_flags_the_deployed_version(demo: Path) -> None:
    at = app_at("pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    banners = [e.value for e in at.error]
    flagged = [b for b in banners if "demo-recommendations" in b]
    assert flagged, banners
    same, total = map(int, re.search(r"(\d+) of (\d+) sampled users", flagged[0]).groups())
    assert total >= 10 and same / total >= 0.75, flagged[0]


def test_overview_says_version_2_is_not_deployed(demo: Path) -> None:
    at = app_at("pages/overview.py")
    assert not at.exception
    texts = [w.value for w in at.warning] + [e.value for e in at.error]
    assert any("demo-recommendations" in t and "not deployed" in t for t in texts), texts
    # The data checks probe recently active shoppers: the deployed version fails them.
    errors = [e.value for e in at.error]
    assert any("demo-recommendations" in t and "got the same top 10" in t for t in errors), errors
