"""A moved data directory (``--data-dir``) takes everything the engine keeps with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import COMPILE_CACHE_ENV, Settings, sqlite_url, with_data_dir


@pytest.fixture(autouse=True)
def _no_path_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (COMPILE_CACHE_ENV, "LOCAL_ENGINE_DB_URL", "DASHBOARD_DB_URL"):
        monkeypatch.delenv(name, raising=False)


def test_a_moved_data_dir_holds_the_databases_and_the_compile_cache(tmp_path: Path) -> None:
    # `python -m services.demo --data-dir X` started from the default settings (./.data)
    start = Settings.from_env({})
    assert start.compile_cache_dir == Path(".data") / "compile-cache"
    moved = with_data_dir(start, tmp_path / "shop")
    assert moved.data_dir == tmp_path / "shop"
    assert moved.compile_cache_dir == tmp_path / "shop" / "compile-cache"
    assert moved.engine_db_url == f"sqlite:///{tmp_path}/shop/engine.db"
    assert moved.dashboard_db_url == sqlite_url(tmp_path / "shop" / "dashboard.db")


def test_a_compile_cache_the_environment_names_stays_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-cache"
    monkeypatch.setenv(COMPILE_CACHE_ENV, str(shared))
    start = Settings.from_env({COMPILE_CACHE_ENV: str(shared)})
    assert with_data_dir(start, tmp_path / "shop").compile_cache_dir == shared
