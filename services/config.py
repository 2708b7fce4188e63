"""Settings for the dashboard and the local engine, read once from the environment."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

BACKENDS = ("local", "aws")
LOCAL_REGION = "us-east-1"
# The local engine's access key (docs/engine.md, "Who may call the engine").
ENGINE_KEY_ID_ENV = "PERSONALIZE_LOCAL_ACCESS_KEY_ID"
ENGINE_SECRET_ENV = "PERSONALIZE_LOCAL_SECRET_ACCESS_KEY"
# Where the v2 recipes keep compiled training steps (Settings.compile_cache_dir).
COMPILE_CACHE_ENV = "PERSONALIZE_LOCAL_COMPILE_CACHE"
LOCAL_ACCOUNT = "000000000000"
# AssumeRole's RoleArn is an IAM role (any partition); a path may sit before the name.
_IAM_ROLE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


class ConfigError(ValueError):
    """A setting has a value the product cannot use."""


@dataclass(frozen=True)
class Settings:
    """Where Personalize is and where our own state lives."""

    backend: str = "local"
    endpoint_url: str | None = None
    data_dir: Path = Path(".data")
    region: str = LOCAL_REGION
    profile: str | None = None
    dashboard_db_url: str = ""
    engine_db_url: str = ""
    worker_mode: str = "process"
    # How long a local resource waits in CREATE PENDING/IN_PROGRESS before ACTIVE (and how
    # long a campaign update takes). Real Personalize takes minutes; tests use 0.
    lifecycle_seconds: float = 2.0
    # Floor on a training job's duration, so demos and restart tests can watch it run.
    min_training_seconds: float = 0.0
    # Where the v2 recipes keep compiled training steps (JAX's persistent compilation cache)
    # for later versions and worker processes; "" = DATA_DIR/compile-cache. Trusted code: a
    # directory only this user may write.
    compile_cache_dir: Path | None = None
    # A background worker exits after this long without work (the next job starts another).
    worker_idle_seconds: float = 30.0
    # The Overview flags a dataset group whose refresh has not succeeded for this long (a
    # nightly schedule plus slack).
    refresh_max_age_hours: float = 26.0
    # AWS mode only: the bucket where dataset exports, batch previews and uploads are written
    # (s3://BUCKET/personalize-dashboard/...), and the role Personalize assumes to use it.
    export_bucket: str | None = None
    role_arn: str | None = None
    # AWS mode only: a role the dashboard assumes (STS AssumeRole) with the base credentials
    # of ``profile`` or the default chain; its credentials are refreshed before they expire.
    assume_role_arn: str | None = None
    # JSON overriding the Personalize price table (services.costs.pricing), e.g.
    # {"tps_hour": 0.2, "training_hour": 0.24}.
    prices: str | None = None
    # The setup file (services.setup_file) the Overview compares the account with and
    # Operations applies; None: no drift shown.
    setup_file: Path | None = None
    # The access key an engine served off loopback accepts (``serve``), and the one the
    # dashboard signs with when it reaches an engine at ``endpoint_url``; never printed.
    engine_access_key_id: str | None = None
    engine_secret_access_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(
                f"PERSONALIZE_BACKEND={self.backend!r} is not supported: use one of {BACKENDS}"
            )
        if self.worker_mode not in ("process", "thread"):
            raise ConfigError(
                f"PERSONALIZE_LOCAL_WORKER={self.worker_mode!r}: use 'process' or 'thread'"
            )
        # Derived defaults live next to the data directory so one variable moves everything.
        if self.lifecycle_seconds < 0:
            raise ConfigError("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS must be ≥ 0")
        if self.assume_role_arn and not _IAM_ROLE.fullmatch(self.assume_role_arn):
            raise ConfigError(
                f"PERSONALIZE_ASSUME_ROLE_ARN={self.assume_role_arn!r} is not an IAM role ARN: "
                "use arn:aws:iam::ACCOUNT_ID:role/NAME"
            )
        if bool(self.engine_access_key_id) != bool(self.engine_secret_access_key):
            raise ConfigError(f"set both {ENGINE_KEY_ID_ENV} and {ENGINE_SECRET_ENV}, or neither")
        if not self.dashboard_db_url:
            object.__setattr__(self, "dashboard_db_url", sqlite_url(self.data_dir / "dashboard.db"))
        if not self.engine_db_url:
            object.__setattr__(self, "engine_db_url", sqlite_url(self.data_dir / "engine.db"))
        if self.compile_cache_dir is None:
            object.__setattr__(self, "compile_cache_dir", self.data_dir / "compile-cache")

    @property
    def is_local(self) -> bool:
        """True when the embedded engine answers (in-process or over HTTP)."""
        return self.backend == "local"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables (see docs/configuration.md)."""
        env = os.environ if env is None else env
        backend = env.get("PERSONALIZE_BACKEND", "local").strip().lower() or "local"
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or LOCAL_REGION
        return cls(
            backend=backend,
            endpoint_url=env.get("PERSONALIZE_ENDPOINT_URL") or None,
            data_dir=Path(env.get("PERSONALIZE_DATA_DIR") or ".data").expanduser(),
            region=region,
            profile=env.get("AWS_PROFILE") or None,
            dashboard_db_url=env.get("DASHBOARD_DB_URL", ""),
            engine_db_url=env.get("LOCAL_ENGINE_DB_URL", ""),
            worker_mode=env.get("PERSONALIZE_LOCAL_WORKER", "process"),
            lifecycle_seconds=_float(env, "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", 2.0),
            min_training_seconds=_float(env, "PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS", 0.0),
            worker_idle_seconds=_float(env, "PERSONALIZE_LOCAL_WORKER_IDLE_SECONDS", 30.0),
            compile_cache_dir=_path(env, COMPILE_CACHE_ENV),
            refresh_max_age_hours=_float(env, "REFRESH_MAX_AGE_HOURS", 26.0),
            export_bucket=env.get("PERSONALIZE_EXPORT_BUCKET") or None,
            role_arn=env.get("PERSONALIZE_ROLE_ARN") or None,
            assume_role_arn=env.get("PERSONALIZE_ASSUME_ROLE_ARN") or None,
            prices=env.get("PERSONALIZE_PRICES") or None,
            setup_file=_path(env, "PERSONALIZE_SETUP_FILE"),
            engine_access_key_id=env.get(ENGINE_KEY_ID_ENV, "").strip() or None,
            engine_secret_access_key=env.get(ENGINE_SECRET_ENV, "").strip() or None,
        )


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL of a SQLite file (absolute, so a changed cwd finds the same file)."""
    return f"sqlite:///{path.expanduser().resolve()}"


def with_data_dir(settings: Settings, data_dir: Path) -> Settings:
    """``settings`` moved to another data directory (a ``--data-dir`` option): both SQLite
    databases and the v2 recipes' compile cache live in it unless LOCAL_ENGINE_DB_URL /
    DASHBOARD_DB_URL / PERSONALIZE_LOCAL_COMPILE_CACHE say otherwise."""
    data_dir = data_dir.expanduser()
    engine_url = os.environ.get("LOCAL_ENGINE_DB_URL") or sqlite_url(data_dir / "engine.db")
    dash_url = os.environ.get("DASHBOARD_DB_URL") or sqlite_url(data_dir / "dashboard.db")
    return dataclasses.replace(
        settings,
        data_dir=data_dir,
        engine_db_url=engine_url,
        dashboard_db_url=dash_url,
        compile_cache_dir=_path(os.environ, COMPILE_CACHE_ENV),  # None: under data_dir
    )


def _path(env: Mapping[str, str], key: str) -> Path | None:
    """The path ``key`` names (``~`` expanded), None when unset or empty."""
    raw = env.get(key)
    return Path(raw).expanduser() if raw else None


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as err:
        raise ConfigError(f"{key}={raw!r} is not a number") from err
