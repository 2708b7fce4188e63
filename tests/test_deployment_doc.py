"""docs/deployment.md says what works (issue #25): its environment file builds settings whose
engine key the engine accepts, its systemd units run the project's own interpreter with
options the programs accept, the engine started as its unit says serves its stores from
PostgreSQL to a client built from that environment file (signed with its key, as the
dashboard's is) and refuses one without the key, and an engine store made before the one
column that changed shape takes the rows that need the wider column.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import sqlalchemy as sa
from botocore.exceptions import ClientError

from services.config import Settings
from services.db import dispose_engines
from services.local.wire.auth import load_keys
from services.personalize.clients import build_clients
from tests.local.server import EngineServer
from tests.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
ENV_FILE = "/etc/personalize-dashboard/env"


def _block_after(marker: str, language: str) -> str:
    """The first ``language`` fenced block after the line naming ``marker``."""
    at = DOC.index(f"`{marker}`")
    found = re.compile(rf"^```{language}\n(.*?)^```", re.M | re.S).search(DOC, at)
    assert found, f"no {language} block after {marker}"
    return found[1]


def _env() -> dict[str, str]:
    pairs = [line.split("=", 1) for line in _block_after(ENV_FILE, "bash").splitlines()]
    return {k: v for k, v in pairs if not k.startswith("#")}


def _unit(name: str) -> dict[str, str]:
    """``Key: value`` of a unit (each key once in these units)."""
    lines = _block_after(f"/etc/systemd/system/{name}.service", "ini").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def _options(argv: list[str]) -> dict[str, str]:
    return dict(zip(argv[::2], argv[1::2], strict=True))


def test_the_environment_file_builds_settings_whose_key_the_engine_accepts() -> None:
    env = _env()
    settings = Settings.from_env(env)  # raises ConfigError on a bad value
    assert settings.dashboard_db_url == env["DASHBOARD_DB_URL"]
    assert settings.engine_db_url == env["LOCAL_ENGINE_DB_URL"]
    assert settings.endpoint_url == env["PERSONALIZE_ENDPOINT_URL"]
    assert str(settings.data_dir) == env["PERSONALIZE_DATA_DIR"]
    keys = load_keys(settings)  # a secret under 16 characters is refused here
    assert keys.secrets == {
        env["PERSONALIZE_LOCAL_ACCESS_KEY_ID"]: env["PERSONALIZE_LOCAL_SECRET_ACCESS_KEY"]
    }
    for url in (env["DASHBOARD_DB_URL"], env["LOCAL_ENGINE_DB_URL"]):
        assert sa.make_url(url).password is None  # passwords live in .pgpass, not here


@pytest.mark.parametrize("name", ["personalize-engine", "personalize-dashboard"])
def test_each_unit_runs_the_projects_interpreter_with_the_environment_file(name: str) -> None:
    unit = _unit(name)
    argv = shlex.split(unit["ExecStart"])
    assert argv[0] == f"{unit['WorkingDirectory']}/.venv/bin/python"
    assert unit["EnvironmentFile"] == ENV_FILE
    assert unit["User"] == unit["Group"] == "personalize"


def test_the_engine_unit_listens_where_the_dashboard_is_sent() -> None:
    argv = shlex.split(_unit("personalize-engine")["ExecStart"])
    assert argv[1:4] == ["-m", "services.local", "serve"]
    options = _options(argv[4:])
    assert set(options) == {"--host", "--port", "--data-dir"}
    env = _env()
    assert env["PERSONALIZE_ENDPOINT_URL"] == f"http://{options['--host']}:{options['--port']}"
    assert options["--data-dir"] == env["PERSONALIZE_DATA_DIR"]


def test_the_dashboard_unit_passes_options_streamlit_has() -> None:
    from streamlit import config

    argv = shlex.split(_unit("personalize-dashboard")["ExecStart"])
    assert argv[1:5] == ["-m", "streamlit", "run", "streamlit_app.py"]
    assert (ROOT / argv[4]).is_file()
    options = _options(argv[5:])
    for flag in options:
        config.get_option(flag.removeprefix("--"))  # RuntimeError for an unknown option
    assert options["--server.address"] == "127.0.0.1"  # behind the reverse proxy
    assert options["--server.headless"] == "true"


def test_the_engine_as_its_unit_runs_it_serves_postgresql_stores_to_a_signed_client(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The unit's command on loopback (a free port, a temporary data directory) with
    ``--require-auth``, which its non-loopback ``--host`` turns on by itself; the environment
    file's stores are databases on the test server."""
    env = _env() | {
        "PERSONALIZE_DATA_DIR": str(tmp_path / "data"),
        "DASHBOARD_DB_URL": postgres_server.database("dashboard"),
        "LOCAL_ENGINE_DB_URL": postgres_server.database("engine"),
        "PERSONALIZE_LOCAL_WORKER": "thread",
    }
    server = EngineServer(tmp_path / "data", args=["--require-auth"], **env)
    server.start(timeout=120)  # creating the tables on PostgreSQL, on two busy cores
    try:
        env["PERSONALIZE_ENDPOINT_URL"] = server.url
        personalize = build_clients(Settings.from_env(env)).personalize
        arn = personalize.create_dataset_group(name="team-shop")["datasetGroupArn"]
        listed = personalize.list_dataset_groups()["datasetGroups"]
        assert [g["datasetGroupArn"] for g in listed] == [arn]
        tables = sa.inspect(sa.create_engine(env["LOCAL_ENGINE_DB_URL"])).get_table_names()
        assert "bulk_files" in tables  # the engine's store is in PostgreSQL

        stranger = env | {"PERSONALIZE_LOCAL_SECRET_ACCESS_KEY": "not-the-key-0123456789"}
        with pytest.raises(ClientError) as refused:
            build_clients(Settings.from_env(stranger)).personalize.list_dataset_groups()
        assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    finally:
        server.stop()
        dispose_engines()


def test_an_engine_store_from_before_the_wider_dataset_type_takes_action_interactions(
    tmp_path: Path,
) -> None:
    """bulk_files.dataset_type grew from 16 to 32 characters (Action_Interactions has 19);
    SQLite does not enforce the length, so a store made with the older shape needs no
    migration (the schema section's claim)."""
    from services.local.data.storage import tables

    url = f"sqlite:///{tmp_path / 'engine.db'}"
    old = sa.MetaData()
    sa.Table(  # as services/local/data/storage/tables.py defined it before the change
        "bulk_files",
        old,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("group_arn", sa.String(256), nullable=False),
        sa.Column("dataset_type", sa.String(16), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    db = sa.create_engine(url)
    old.create_all(db)
    tables.metadata.create_all(db)  # what the engine does on opening the store
    row = {"group_arn": "g", "dataset_type": "Action_Interactions", "path": "p", "rows": 1}
    with db.begin() as conn:
        conn.execute(sa.insert(tables.bulk_files).values(**row, created=0.0))
        read = conn.execute(sa.select(tables.bulk_files.c.dataset_type)).scalar_one()
    assert read == "Action_Interactions"
    assert "actions" in sa.inspect(db).get_table_names()  # new tables appear by themselves
    db.dispose()
