"""Every store's schema created on an empty PostgreSQL database (issue #25), by several
processes starting at once, as a shared deployment's services do: each table exists once, with
the columns the code declares, and a second start changes nothing."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from services.db import dispose_engines
from tests.local.server import ROOT
from tests.postgres import PostgresServer

# Opens every store the product has on one URL (the engine's and the dashboard's may share a
# database), the way each service does at start-up.
OPEN_ALL = """
import sys
from pathlib import Path
from services.access.throttle import SignInThrottle
from services.config import Settings
from services.local.engine import LocalEngine
from services.pipeline.runs.records import RunStore
from services.store.tables import Store

url, data_dir = sys.argv[1], Path(sys.argv[2])
Store(url)
RunStore(url)
SignInThrottle(url)
LocalEngine(Settings(data_dir=data_dir, engine_db_url=url), start_worker=False).close()
print("ok")
"""


def _declared() -> dict[str, set[str]]:
    from services.access import throttle
    from services.local.data.storage import tables as engine_tables
    from services.local.runtime import usage
    from services.pipeline.runs import run_tables
    from services.store import tables as store_tables

    return {
        table.name: {column.name for column in table.columns}
        for metadata in (
            engine_tables.metadata,
            usage.metadata,
            store_tables.metadata,
            run_tables.metadata,
            throttle.metadata,
        )
        for table in metadata.sorted_tables
    }


def test_two_processes_create_every_table_once_on_an_empty_database(
    postgres_server: PostgresServer, tmp_path
) -> None:
    url = postgres_server.database("schema")
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_ALL, url, str(tmp_path / f"data{n}")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    outputs = [proc.communicate(timeout=180) for proc in starts]
    assert [proc.returncode for proc in starts] == [0, 0], [err[-1500:] for _, err in outputs]
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        found = {
            name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names()
        }
    finally:
        engine.dispose()
        dispose_engines()
    assert found == _declared()
