"""Experiments in the dashboard's store: their arms, split and state (SQLAlchemy Core).

An experiment's name and split are fixed once it starts: both feed the assignment hash
(``services.experiments.assignment``), so changing either would move users between arms
mid-experiment. Stopping and promoting change only its state. Rows never leave this module:
callers get frozen ``Experiment`` values. Times are UTC and timezone-aware.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from services.errors import ServiceError
from services.experiments.assignment import check_split
from services.i18n import formats
from services.store.tables import UtcDateTime, open_store_tables, store_unavailable

RUNNING, STOPPED, PROMOTED = "running", "stopped", "promoted"
DEFAULT_MIN_LIFT = 0.03  # the smallest relative lift worth finding, for the planner
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

metadata = sa.MetaData()

experiments = sa.Table(
    "experiments",
    metadata,
    # the name feeds the split's hash: unique for ever, never reused
    sa.Column("name", sa.String(63), nullable=False, unique=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("dataset_group_arn", sa.String(2048), nullable=False, index=True),
    # [{"name": "A", "weight": 5000, "target": "<campaign or recommender ARN>"}, ...]
    sa.Column("arms", sa.JSON, nullable=False),
    sa.Column("click_event", sa.String(256), nullable=False),
    sa.Column("conversion_event", sa.String(256), nullable=False),
    sa.Column("min_lift", sa.Float, nullable=False),
    sa.Column("planned_users", sa.Integer, nullable=False),
    sa.Column("started", UtcDateTime, nullable=False),
    sa.Column("stopped", UtcDateTime, nullable=True),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("winner", sa.String(63), nullable=True),
    sa.CheckConstraint("status IN ('running', 'stopped', 'promoted')", name="experiment_status"),
)


@dataclass(frozen=True)
class Arm:
    """One arm: its ``name`` (sent as eventAttributionSource), its share of traffic in basis
    points (``weight``, of 10,000) and the campaign or recommender ARN it asks (``target``)."""

    name: str
    weight: int
    target: str

    @property
    def share(self) -> float:
        return self.weight / 10_000


@dataclass(frozen=True)
class Experiment:
    """A stored experiment; ``arms[0]`` is the control every other arm is compared with."""

    id: int
    name: str
    dataset_group_arn: str
    arms: tuple[Arm, ...]
    click_event: str
    conversion_event: str
    min_lift: float
    planned_users: int
    status: str
    started: datetime
    stopped: datetime | None
    created_by: str
    winner: str | None

    @property
    def split(self) -> list[tuple[str, int]]:
        """The split as ``assignment.assign`` takes it."""
        return [(a.name, a.weight) for a in self.arms]

    def arm(self, name: str) -> Arm:
        """The arm called ``name`` (KeyError when there is none)."""
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise KeyError(name)


class ExperimentRefused(ServiceError):
    """An experiment that cannot be created or changed as asked; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="ExperimentRefused")


def _now() -> datetime:
    return datetime.now(UTC)


def _row(r: sa.RowMapping) -> Experiment:
    return Experiment(
        id=r["id"],
        name=r["name"],
        dataset_group_arn=r["dataset_group_arn"],
        arms=tuple(Arm(a["name"], int(a["weight"]), a["target"]) for a in r["arms"]),
        click_event=r["click_event"],
        conversion_event=r["conversion_event"],
        min_lift=float(r["min_lift"]),
        planned_users=int(r["planned_users"]),
        status=r["status"],
        started=r["started"],
        stopped=r["stopped"],
        created_by=r["created_by"],
        winner=r["winner"],
    )


def check_new(
    name: str, arms: Sequence[Arm], click_event: str, conversion_event: str, min_lift: float
) -> None:
    """Refuse an experiment that cannot start as given.

    Raises:
        ExperimentRefused: naming the field: the name (1-63 letters, digits, ``.``, ``_``,
            ``-``, starting with a letter or digit), the split (``assignment.check_split``),
            an arm without a target or two arms on the same target, an empty event type, or
            a minimum lift outside (0, 10].
    """
    if not NAME_PATTERN.match(name):
        raise ExperimentRefused(
            f"Experiment name {name!r} is not allowed: use 1-63 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit (it is part of the split's hash)."
        )
    try:
        check_split([(a.name, a.weight) for a in arms])
    except ValueError as err:
        raise ExperimentRefused(str(err)) from err
    for arm in arms:
        if not NAME_PATTERN.match(arm.name):
            raise ExperimentRefused(
                f"Arm name {arm.name!r} is not allowed: use 1-63 letters, digits, '.', '_' or "
                "'-' (it is sent as PutEvents' eventAttributionSource)."
            )
        if not arm.target:
            raise ExperimentRefused(f"Arm {arm.name} needs a campaign or recommender.")
    if len({a.target for a in arms}) != len(arms):
        raise ExperimentRefused("Each arm needs its own campaign or recommender.")
    if not click_event.strip() or not conversion_event.strip():
        raise ExperimentRefused("Name the click and the conversion event types.")
    if not 0 < min_lift <= 10:
        raise ExperimentRefused(
            f"The minimum lift must be above {formats.share(0)} and at most {formats.share(10)}."
        )


class ExperimentStore:
    """Experiments on the dashboard's database (the store's URL)."""

    def __init__(self, url: str) -> None:
        """Open the table, creating it when missing.

        Raises:
            StoreUnavailable: it is missing and cannot be created.
        """
        self._engine, self._reader = open_store_tables(url, metadata)

    def start(
        self,
        name: str,
        dataset_group_arn: str,
        arms: Sequence[Arm],
        *,
        actor: str,
        click_event: str,
        conversion_event: str,
        min_lift: float = DEFAULT_MIN_LIFT,
        planned_users: int = 10_000,
        started: datetime | None = None,
    ) -> Experiment:
        """Store a new running experiment.

        Raises:
            ExperimentRefused: invalid (``check_new``), or the name is taken (names are never
                reused: a reused name would put users back in their old arms).
            StoreUnavailable: the store cannot be written.
        """
        check_new(name, arms, click_event, conversion_event, min_lift)
        if planned_users < 1:
            raise ExperimentRefused("The planned number of users must be at least 1.")
        row = {
            "name": name,
            "dataset_group_arn": dataset_group_arn,
            "arms": [{"name": a.name, "weight": a.weight, "target": a.target} for a in arms],
            "click_event": click_event.strip(),
            "conversion_event": conversion_event.strip(),
            "min_lift": float(min_lift),
            "planned_users": int(planned_users),
            "status": RUNNING,
            "started": started or _now(),
            "stopped": None,
            "created_by": actor,
            "winner": None,
        }
        try:
            with self._engine.begin() as conn:
                key = conn.execute(sa.insert(experiments).values(row)).inserted_primary_key
                new_id = int(key[0]) if key else 0
        except IntegrityError as err:
            raise ExperimentRefused(
                f"An experiment named {name} exists already: names are never reused, since "
                "the name decides who lands in which arm."
            ) from err
        except SQLAlchemyError as err:
            raise store_unavailable(err) from err
        return self.get(int(new_id))

    def get(self, experiment_id: int) -> Experiment:
        """One experiment.

        Raises:
            ExperimentRefused: there is none with that id.
        """
        with self._reader.connect() as conn:
            row = (
                conn.execute(sa.select(experiments).where(experiments.c.id == experiment_id))
                .mappings()
                .first()
            )
        if row is None:
            raise ExperimentRefused(f"There is no experiment {experiment_id}.")
        return _row(row)

    def list(self, dataset_group_arn: str | None = None) -> list[Experiment]:
        """Experiments newest first, of one dataset group or of all."""
        query = sa.select(experiments).order_by(experiments.c.id.desc())
        if dataset_group_arn is not None:
            query = query.where(experiments.c.dataset_group_arn == dataset_group_arn)
        with self._reader.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings().all()]

    def stop(self, experiment_id: int, *, winner: str | None = None) -> Experiment:
        """End a running experiment: ``stopped``, or ``promoted`` when ``winner`` names the arm
        whose campaign or recommender now serves everybody.

        Raises:
            ExperimentRefused: no such experiment, it is not running, or ``winner`` is no arm.
            StoreUnavailable: the store cannot be written.
        """
        current = self.get(experiment_id)
        if current.status != RUNNING:
            raise ExperimentRefused(f"Experiment {current.name} is {current.status}, not running.")
        if winner is not None and winner not in {a.name for a in current.arms}:
            raise ExperimentRefused(f"Experiment {current.name} has no arm {winner}.")
        values = {"status": PROMOTED if winner else STOPPED, "stopped": _now(), "winner": winner}
        try:
            with self._engine.begin() as conn:
                changed = conn.execute(
                    sa.update(experiments)
                    .where(experiments.c.id == experiment_id, experiments.c.status == RUNNING)
                    .values(values)
                ).rowcount
        except SQLAlchemyError as err:
            raise store_unavailable(err) from err
        if not changed:  # somebody else stopped it between the read and the write
            raise ExperimentRefused(f"Experiment {current.name} is no longer running.")
        return self.get(experiment_id)
