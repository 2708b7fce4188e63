"""Shared fixtures: isolated data directories, boto3 clients on the local engine."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
# Nothing a test does may pick up a developer's real AWS identity.
for _key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(_key, None)

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from services.db import dispose_engines  # noqa: E402
from tests.demo_seed import DemoSeed, seed_once  # noqa: E402
from tests.postgres import PostgresServer, binaries, in_ci  # noqa: E402

TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Groups for pytest-xdist's ``--dist loadgroup`` (``make test`` runs two workers): a file's
    tests stay on one worker, so its module-scoped fixtures (trained groups, served engines)
    are built once; the browser tests (tests/e2e) all share one worker, so one seeded
    workspace, one Streamlit server and one Chromium serve them; so do the tests of the one
    seeded demo shop (``demo_seed``). Without xdist: no effect."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        relative = item.path.resolve().relative_to(TESTS)
        if "demo_seed" in item.fixturenames:
            group = "demo-seed"  # one worker seeds the demo once for both files
        elif relative.parts[0] == "e2e":
            group = "e2e"
        else:
            group = relative.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test process (tests/postgres.py), stopped at the end.

    Skipped only on a developer machine without Debian's ``postgresql`` package; on CI (``CI``
    set, as ``.ci/run`` does) a missing server fails the tests that need it."""
    bin_dir = binaries()
    if bin_dir is None:
        why = "PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)"
        if in_ci():
            pytest.fail(f"{why}; CI must run the PostgreSQL suites")
        pytest.skip(why)
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        dispose_engines()  # no pooled connection outlives the server
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """The URL of the store named ``name`` (the same URL for the same name within a test):
    a SQLite file in ``tmp_path``, or a new database on the test PostgreSQL server. A test
    using it runs once on each."""
    server: PostgresServer | None = (
        request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    )
    urls: dict[str, str] = {}

    def make(name: str) -> str:
        if name not in urls:
            urls[name] = (
                f"sqlite:///{tmp_path / f'{name}.db'}" if server is None else server.database(name)
            )
        return urls[name]

    yield make
    dispose_engines()


@pytest.fixture(scope="session")
def demo_seed(tmp_path_factory: pytest.TempPathFactory) -> DemoSeed:
    """The demo shop seeded once for the run (tests/demo_seed.py); tests use copies."""
    return seed_once(tmp_path_factory.mktemp("demo-seed"))
