"""What Solutions & metrics shows of a version, and its tables (the reads are in
``dashboard.reads``)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from dashboard.components.formatting import NO_VALUE, billed_hours
from services.evaluation.version_data import (
    VersionData,
    best_versions,
    data_range,
    training_end_text,
)
from services.i18n import N_, _, formats
from services.workspace.recipe_capabilities import metrics_group
from services.workspace.version_campaigns import VersionInfo

# What the tables' columns hold that their headers cannot say (``formatting.help_columns``).
VERSIONS_HELP = {
    N_("training time"): N_("Wall-clock time from the start of training to ACTIVE"),
    N_("billed training"): N_(
        "trainingHours: the compute Personalize bills (4 vCPU/8 GiB units, so it "
        "can exceed the wall-clock time)"
    ),
}
METRICS_HELP = {  # "{share}": the share of users Personalize tests on
    N_("test users scored"): N_(
        "Test users ({share} of users) the version's top 25 was scored for"
    ),
    N_("with truth"): N_(
        "Of them, users with held-out interactions: the metrics average over these"
    ),
    N_("training data (UTC)"): N_("Oldest → newest interaction the version trained on"),
    N_("training stopped"): N_(
        "For models that train for epochs (v2): what ended training, its time "
        "budget (max_training_seconds, which counts training steps, not "
        "compiling), early stopping on the validation split or the epochs cap, the "
        "epoch reached, the seconds the final fit trained (the clock is read after "
        "each training step) and the seconds the version spent compiling its "
        "network's steps (once per shape; a later version may load them compiled)"
    ),
}


def versions_frame(infos: list[VersionInfo]) -> pd.DataFrame:
    """The versions table: one row per version."""
    rows = [
        {
            _("solution"): i.solution.name,
            _("recipe"): i.recipe,
            _("version"): i.label,
            _("mode"): i.version.training_mode or NO_VALUE,
            _("status"): i.version.status,
            _("created"): i.version.created,
            _("training time"): formats.duration(i.training_time) if i.training_time else NO_VALUE,
            _("billed training"): (
                billed_hours(i.version.training_hours)
                if i.version.training_hours is not None
                else NO_VALUE
            ),
            _("deployed in"): ", ".join(i.deployed_in),
            _("failure reason"): i.version.failure_reason or "",
            "ARN": i.version.arn,
        }
        for i in infos
    ]
    return pd.DataFrame(rows)


def metrics_frame(infos: list[VersionInfo], metrics: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Long format: one row per (version, metric key) with recipe, baseline, deployed and
    best flags (best: the highest value of that key among versions of comparable recipes,
    ties all best)."""
    best = _best(infos, metrics)
    rows = [
        {
            "label": i.label,
            "version_arn": i.version.arn,
            "solution": i.solution.name,
            "recipe": i.recipe,
            "baseline": i.is_baseline,
            "deployed": bool(i.deployed_in),
            "best": i.version.arn in best.get(key, ()),
            "created": i.version.created,
            "metric": key,
            "value": value,
        }
        for i in infos
        if i.version.arn in metrics
        for key, value in metrics[i.version.arn].items()
    ]
    columns = ["label", "version_arn", "solution", "recipe", "baseline", "deployed", "best"]
    return pd.DataFrame(rows, columns=[*columns, "created", "metric", "value"])


BEST_MARK = "★"


def metrics_table(
    infos: list[VersionInfo],
    metrics: dict[str, dict[str, float]],
    keys: list[str],
    data: dict[str, VersionData],
    label: Callable[[str], str],
) -> pd.DataFrame:
    """One row per version: who serves it, the test users it was scored on, the time range of
    its training data, how its training stopped (models that train for epochs), then each metric
    of ``keys`` as text ("0.2218 ★" marks the best of that key, "–" a value that does not
    exist). ``label`` names a key's column."""
    best = _best(infos, metrics)
    rows = []
    for i in infos:
        arn = i.version.arn
        values, known = metrics.get(arn, {}), data.get(arn)
        row = {
            _("version"): i.label,
            _("recipe"): i.recipe,
            _("deployed in"): ", ".join(i.deployed_in),
            _("test users scored"): _count(known.test_users if known else None),
            _("with truth"): _count(known.users_with_truth if known else None),
            _("training data (UTC)"): data_range(known) or NO_VALUE,
            _("training stopped"): training_end_text(known.training if known else None) or NO_VALUE,
        }
        for key in keys:
            value = values.get(key)
            if value is None or math.isnan(value):
                row[label(key)] = NO_VALUE
            else:
                mark = f" {BEST_MARK}" if arn in best.get(key, ()) else ""
                row[label(key)] = f"{value:.4f}{mark}"
        rows.append(row)
    return pd.DataFrame(rows)


def _best(
    infos: list[VersionInfo], metrics: dict[str, dict[str, float]]
) -> dict[str, frozenset[str]]:
    """The best versions per key among those of comparable recipes (``metrics_group``)."""
    return best_versions(metrics, {i.version.arn: metrics_group(i.recipe) for i in infos})


def _count(value: int | None) -> str:
    return formats.count(value)
