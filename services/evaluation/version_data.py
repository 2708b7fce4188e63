"""What each solution version's offline metrics were computed on, and whether two versions'
numbers can be compared.

AWS's guide "Evaluating a solution version with metrics" (developer guide,
working-with-training-metrics) says to compare versions trained on the same data only: the
difference may be the data's, not the model's. Personalize reports neither how many test users
a version was scored on nor the time range of the data it trained on, nor how a model that
trains for epochs stopped. The embedded engine keeps all three next to each version
(``services.local.models.training.EVALUATION`` and its training report), read straight from its
storage when it runs in this process (``services.datasets.local_engine.versions``); on AWS,
or with the engine behind an HTTP endpoint, they are unknown and only what Describe says (event
type) can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.i18n import _, formats
from services.personalize.models import SolutionVersion

# The guide's split for the offline metrics: the newest 10% of the interactions of 10% of the
# users are held out and scored (the embedded engine follows it).
TEST_USER_SHARE = 0.1
TEST_INTERACTION_SHARE = 0.1
# Below this many test users with truth on either side, no difference between two versions'
# metrics is claimed. A metric is the mean of per-user scores in [0, 1] that are mostly 0 or
# near it, so a user's score varies about as much as the mean itself: the mean's relative
# standard error is about 1/sqrt(n), 18% at 30 users and 41% at 6 (the s13 trial's shop, where
# "-27.8%" was within one standard error). 30 is also the usual size from which a mean's
# sampling distribution is taken as normal. Personalize does not report the count; the
# embedded engine does (VersionData), so the rule applies where the count is known.
MIN_TEST_USERS = 30


@dataclass(frozen=True)
class TrainingEnd:
    """How a model that trains for epochs (the v2 recipes) stopped, from the engine's record.

    ``stopped``: "time_budget" (``max_training_seconds`` ran out), "early_stopping" (the
    validation NDCG@10 stopped improving), "epochs" (every epoch ran) or another word the
    engine wrote; ``epochs_run`` of the ``epochs`` cap; ``max_seconds`` the time budget,
    ``seconds`` what the final fit trained (a version's fits share the budget; the clock is
    read after each training step) and ``compile_seconds`` what the version's fits spent
    compiling the network's steps, which the budget does not count (None in a report older
    than that rule, whose ``seconds`` include it).
    """

    stopped: str
    epochs_run: int | None = None
    epochs: int | None = None
    max_seconds: float | None = None
    seconds: float | None = None
    compile_seconds: float | None = None

    @classmethod
    def from_report(cls, report: Mapping[str, Any] | None) -> TrainingEnd | None:
        """From the engine's training report (``SequenceModel.training``); None for a model
        that does not train for epochs (no ``stopped`` in it) or no report."""
        if not report or "stopped" not in report:
            return None

        def number(*keys: str) -> float | None:  # the first of ``keys`` the report has
            value = next((report[key] for key in keys if key in report), None)
            return float(value) if isinstance(value, int | float) else None

        # a report written since compiling is outside the budget has training_seconds; an
        # older one's seconds include compiling, and its compile_seconds meant something else
        counted = "training_seconds" in report

        run, cap = number("epochs_run"), number("epochs")
        return cls(
            stopped=str(report["stopped"]),
            epochs_run=None if run is None else int(run),
            epochs=None if cap is None else int(cap),
            max_seconds=number("max_training_seconds"),
            seconds=number("training_seconds", "seconds"),
            compile_seconds=number("version_compile_seconds", "compile_seconds")
            if counted
            else None,
        )

    @property
    def at_budget(self) -> bool:
        """Whether the time budget, not the model, ended training."""
        return self.stopped == "time_budget"


def training_end_text(end: TrainingEnd | None) -> str | None:
    """ "time budget 10 s (took 12 s), epoch 3 of 100", "early stopping, epoch 31 of 100
    (took 1 min 35 s)" or "every epoch: 100 (took 40 s)", followed by "; compiling 8 s, outside
    the budget" when the record says how long compiling took; None for a version without a
    record of it. Times are ``formats.duration``'s ("–" when the record has none)."""
    if end is None:
        return None
    text = _stopping_text(end)
    if end.compile_seconds is None:
        return text
    return _("{training}; compiling {duration}, outside the budget").format(
        training=text, duration=formats.duration(end.compile_seconds)
    )


def _stopping_text(end: TrainingEnd) -> str:
    run, cap = formats.count(end.epochs_run), formats.count(end.epochs)
    took = formats.NO_VALUE if end.seconds is None else formats.duration(end.seconds)
    if end.at_budget:
        budget = formats.NO_VALUE if end.max_seconds is None else formats.duration(end.max_seconds)
        return _("time budget {budget} (took {took}), epoch {run} of {epochs}").format(
            budget=budget, took=took, run=run, epochs=cap
        )
    if end.stopped == "early_stopping":
        return _("early stopping, epoch {run} of {epochs} (took {took})").format(
            run=run, epochs=cap, took=took
        )
    if end.stopped == "epochs":
        return _("every epoch: {epochs} (took {took})").format(epochs=cap, took=took)
    return _("{why}, epoch {run} of {epochs} (took {took})").format(
        why=end.stopped, run=run, epochs=cap, took=took
    )


def stopped_at_budget(arns: Sequence[str], data: Mapping[str, VersionData]) -> set[str]:
    """Those of ``arns`` whose training the time budget ended (``TrainingEnd.at_budget``),
    by ``data`` (version ARN → its record); a version without a record is not among them."""
    return {
        arn
        for arn in arns
        if (known := data.get(arn)) is not None and known.training and known.training.at_budget
    }


@dataclass(frozen=True)
class VersionData:
    """The data behind one version's metrics; None where nobody reports it.

    ``test_users`` were scored (one list each), ``users_with_truth`` of them had held-out
    interactions to score against; ``data_from``/``data_to`` are the oldest and newest
    interaction it trained on (UTC); ``interactions`` how many (after event filtering);
    ``training`` how a model that trains for epochs stopped (None for other recipes).
    """

    test_users: int | None = None
    users_with_truth: int | None = None
    data_from: datetime | None = None
    data_to: datetime | None = None
    interactions: int | None = None
    training: TrainingEnd | None = None

    @classmethod
    def from_record(
        cls,
        record: Mapping[str, Any],
        interactions: int | None,
        training_report: Mapping[str, Any] | None = None,
    ) -> VersionData:
        """From the engine's record (camelCase counts, epoch-second ``dataFrom``/``dataTo``)
        and its training report (``TrainingEnd.from_report``)."""

        def when(key: str) -> datetime | None:
            value = record.get(key)
            return None if value is None else datetime.fromtimestamp(int(value), UTC)

        return cls(
            test_users=record.get("testUsers"),
            users_with_truth=record.get("usersWithTruth"),
            data_from=when("dataFrom"),
            data_to=when("dataTo"),
            interactions=interactions,
            training=TrainingEnd.from_report(training_report),
        )

    def to_record(self) -> dict[str, Any]:
        """JSON-ready, in ``from_record``'s keys (``interactions`` beside them), as a refresh
        run stores it with its guardrail."""
        return {
            "testUsers": self.test_users,
            "usersWithTruth": self.users_with_truth,
            "dataFrom": None if self.data_from is None else int(self.data_from.timestamp()),
            "dataTo": None if self.data_to is None else int(self.data_to.timestamp()),
            "interactions": self.interactions,
        }

    @property
    def scored_users(self) -> int | None:
        """The users a metric averages over: those with truth (else those scored)."""
        return self.users_with_truth if self.users_with_truth is not None else self.test_users


DataSource = Callable[[Sequence[str]], dict[str, VersionData]]
"""Version ARNs → what is known of their data (versions the source knows nothing of left out)."""


def _day(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "?"


def data_range(data: VersionData | None) -> str | None:
    """'2024-01-01 09:00 → 2024-06-30 18:12' (UTC), or None when unknown."""
    if data is None or data.data_from is None:
        return None
    return f"{_day(data.data_from)} → {_day(data.data_to)}"


def data_difference(
    a: SolutionVersion, a_data: VersionData | None, b: SolutionVersion, b_data: VersionData | None
) -> list[str]:
    """Why the metrics of ``a`` and ``b`` were computed on different data; empty when nothing
    known says so. Each reason names both sides, ``a`` first."""
    reasons = []
    if (a.event_type or None) != (b.event_type or None):
        reasons.append(
            _("event type {a} vs {b}").format(
                a=a.event_type or _("all"), b=b.event_type or _("all")
            )
        )
    if a_data is None or b_data is None:
        return reasons
    return reasons + data_reasons(a_data, b_data)


def data_reasons(a_data: VersionData, b_data: VersionData, *, users: bool = True) -> list[str]:
    """How the data behind two versions' metrics differs (time range, interactions and, with
    ``users``, test users), ``a`` first; empty when the records agree."""
    reasons = []
    if (a_data.data_from, a_data.data_to) != (b_data.data_from, b_data.data_to):
        reasons.append(
            _("trained on {a} vs {b} (UTC)").format(a=data_range(a_data), b=data_range(b_data))
        )
    if a_data.interactions != b_data.interactions:
        reasons.append(
            _("{a} vs {b} interactions").format(
                a=formats.count(a_data.interactions), b=formats.count(b_data.interactions)
            )
        )
    if users and a_data.test_users != b_data.test_users:
        reasons.append(
            _("scored on {a} vs {b} test users").format(
                a=formats.count(a_data.test_users), b=formats.count(b_data.test_users)
            )
        )
    return reasons


def too_few_users(a_data: VersionData | None, b_data: VersionData | None) -> bool:
    """Whether either side was scored on fewer than ``MIN_TEST_USERS`` users (unknown counts
    say nothing: False)."""
    counts = [d.scored_users for d in (a_data, b_data) if d is not None]
    return any(n is not None and n < MIN_TEST_USERS for n in counts)


def too_few_text(a_data: VersionData | None, b_data: VersionData | None) -> str:
    """ "scored on 6 vs 6 test users, fewer than 30: the difference cannot be told apart from
    chance" (``a`` first)."""
    return _(
        "scored on {a} vs {b} test users, fewer than {least}: the difference cannot be told "
        "apart from chance"
    ).format(
        a=formats.count(a_data.scored_users if a_data else None),
        b=formats.count(b_data.scored_users if b_data else None),
        least=MIN_TEST_USERS,
    )


def best_versions(
    metrics: Mapping[str, Mapping[str, float]], groups: Mapping[str, str] | None = None
) -> dict[str, frozenset[str]]:
    """Metric key → the version ARNs with its highest value among comparable versions (ties:
    all of them).

    Every GetSolutionMetrics key is "higher is better" (developer guide, metric definitions).
    ``metrics`` maps version ARN → its metrics; a missing or NaN value never wins. ``groups``
    maps version ARN → its comparable group (``recipe_capabilities.metrics_group``; all one
    group without it): the best is picked within each group, and only in a group where at
    least two versions have a value, since a version alone of its kind is best of nothing.
    """
    by_group: dict[tuple[str, str], dict[str, float]] = {}
    for arn, values in metrics.items():
        group = (groups or {}).get(arn, "")
        for key, value in values.items():
            if not math.isnan(value):  # no truth to score against
                by_group.setdefault((key, group), {})[arn] = value
    best: dict[str, set[str]] = {}
    for (key, _group), values in by_group.items():
        if len(values) < 2:
            continue
        top = max(values.values())
        best.setdefault(key, set()).update(arn for arn, v in values.items() if v == top)
    return {key: frozenset(arns) for key, arns in best.items()}
