"""The demo's A/B experiment, with a known true lift the Experiments page should find.

The replayed sessions are split between the popular-items campaign (arm A, the control) and
the personalised one (arm B) by the experiment's own rule (``services.experiments.assignment``),
instead of alternating. The shoppers' behaviour was generated before any list was shown, so
the arms differ only by what is planted here: a third of A's shoppers (by another stable hash
of their ID) are "turned away" and none of their purchases is sent. Conversion rate and revenue
per user of A are then 2/3 of B's in expectation: B's true lift is +50 % on both (6,667
buckets of 10,000 kept: +49.99 %). The experiment row (started when the replayed events
start) is written to the dashboard's store, so the page has something to report.

The replay does not set ``eventAttributionSource``: the local engine's metric attribution
would then report the events under the arm's name without a solution version, and the demo's
offline-vs-online view joins on the version; the recommendationId already names the arm's
campaign.
"""

from __future__ import annotations

from datetime import datetime

from services.config import Settings
from services.experiments.assignment import BUCKETS, assign, bucket
from services.experiments.records import Arm, ExperimentRefused, ExperimentStore
from services.i18n import formats

EXPERIMENT = "demo-ab"
LIFT = 0.5  # B's true lift, on conversion rate and revenue per user
TURNED_AWAY = "demo-ab-turned-away"  # the hash key of A's shoppers whose purchases are dropped
KEPT_BUCKETS = round(BUCKETS / (1 + LIFT))  # 6,667: A keeps these buckets' purchases


def arms(control_campaign: str, treated_campaign: str) -> list[Arm]:
    """A (control: popular items) and B (personalised), half the shoppers each."""
    return [Arm("A", 5_000, control_campaign), Arm("B", 5_000, treated_campaign)]


def arm_of(user_id: str, split: list[Arm]) -> Arm:
    """The arm the experiment's rule puts ``user_id`` in."""
    name = assign(EXPERIMENT, user_id, [(a.name, a.weight) for a in split])
    return next(a for a in split if a.name == name)


def sends_purchases(user_id: str, arm: Arm) -> bool:
    """False for the third of A's shoppers whose purchases are not sent (the planted lift)."""
    return arm.name != "A" or bucket(TURNED_AWAY, user_id) < KEPT_BUCKETS


def true_lift() -> float:
    """B's expected lift over A on conversion rate and revenue per user: +49.99 %."""
    return BUCKETS / KEPT_BUCKETS - 1


def record(settings: Settings, group_arn: str, split: list[Arm], started: datetime) -> str:
    """Write the experiment (clicks: View, conversions: Purchase) to the dashboard's store;
    returns a line saying what was done.

    An experiment of that name stored already (a shared store outliving the data directory)
    is left as it is: names are never reused.
    """
    try:
        ExperimentStore(settings.dashboard_db_url).start(
            EXPERIMENT,
            group_arn,
            split,
            actor="demo",
            click_event="View",
            conversion_event="Purchase",
            planned_users=2_000,
            started=started,
        )
    except ExperimentRefused as err:
        return f"experiment {EXPERIMENT} not recorded: {err}"
    return f"experiment {EXPERIMENT} recorded: B's planted lift is {formats.change(true_lift(), 2)}"
