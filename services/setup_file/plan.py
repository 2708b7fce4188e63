"""The plan: what applying a setup file to an account would do, resource by resource.

Each resource of the file is ``create`` (the account lacks it), ``update`` (it differs only
in fields an Update* operation changes), ``replace`` (a field no Update* operation changes:
the old one is deleted and a new one created, and what depends on it is replaced too) or
``unchanged``; a resource the account has and the file lacks is ``delete`` (only with
``prune``; otherwise it is listed as extra and left alone). Some replacements are
``blocked``: those that would delete imported data (a dataset, a dataset group) or a schema
in use; apply refuses a plan with one and the plan says what to do instead.

Updatable fields, by the Update* operations of the Personalize API reference: UpdateDataset
(``schemaArn``), UpdateSolution (``performAutoTraining``,
``solutionUpdateConfig.autoTrainingConfig``), UpdateCampaign (``minProvisionedTPS``,
``campaignConfig``, with ``solutionVersionArn`` ``<solutionArn>/$LATEST`` to sync),
UpdateRecommender (``recommenderConfig``), UpdateMetricAttribution
(``addMetrics``/``removeMetrics``/``metricsOutputConfig``), and on any resource that takes
tags TagResource/UntagResource (each tag that differs is a field, ``tags.<key>``; a resource
whose ``tags`` the file leaves out keeps whatever tags it has). A dataset's ``import_from``
that changes means a new import job, not a new dataset.

Cost, from services.costs: campaigns bill ``minProvisionedTPS`` every hour (730 a month,
the account's price tiers), training bills training hours (a solution's newest ACTIVE
version's hours when known, else "unknown"); recommenders bill the larger of their minimum
requests an hour (``minRecommendationRequestsPerSecond`` × 3600, default 1 when unset, as
CreateRecommender says) and the requests made, so the plan counts their minimum requests a
month before and after (no USD: the price table has no recommender price).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from services.costs.pricing import HOURS_PER_MONTH, Prices, tiered_cost
from services.setup_file.hpo import hpo_config
from services.setup_file.model import SetupFile
from services.setup_file.references import KINDS, Key, field_name, order
from services.setup_file.state import DEFAULT_SCHEDULE, Account, schema_body, wire_value

FAILED = ("CREATE FAILED",)
SECONDS_PER_HOUR = 3600
DEFAULT_MIN_RPS = 1  # CreateRecommender: recommenderConfig.minRecommendationRequestsPerSecond
TAG_FIELD = "tags."  # a tag's field change is named tags.<key>: None on one side adds or removes
Action = Literal["create", "update", "replace", "unchanged", "delete", "extra"]
UPDATABLE: dict[str, set[str]] = {
    "datasets": {"schema_", "import_from"},
    "solutions": {"auto_training", "auto_training_schedule"},
    "campaigns": {
        "min_tps",
        "exploration_weight",
        "exploration_item_age_cut_off",
        "enable_metadata",
        "sync_with_latest",
    },
    "recommenders": {"min_rps"},
    "metric_attributions": {"metrics", "role_arn", "output_path"},
}
# Replacing these would delete imported data or fail while the schema is in use.
BLOCKED = {
    "schemas": "a schema cannot change: add the new definition under a new name and point the "
    "dataset at it (UpdateDataset changes a dataset's schema)",
    "dataset_groups": "replacing a dataset group deletes its data; create a new group instead",
    "datasets": "replacing a dataset deletes its data; only its schema and import_from can change",
}


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its name in the file, the account's value and the file's."""

    field: str
    current: Any
    wanted: Any


@dataclass(frozen=True)
class Change:
    """What happens to one resource. ``trains``: a solution version is trained first (a
    campaign whose solution has no ACTIVE version); ``blocked``: why apply refuses it."""

    kind: str
    name: str
    action: Action
    fields: tuple[FieldChange, ...] = ()
    because: str = ""
    trains: bool = False
    blocked: str = ""

    @property
    def label(self) -> str:
        """``campaigns/demo-ranking``."""
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class Cost:
    """What the plan changes in the bill: training runs it starts (with the hours known for
    ``known_runs`` of them) and the campaigns' minimum TPS before and after."""

    training_runs: int
    training_hours: float
    known_runs: int
    tps_before: int
    tps_after: int
    training_usd: float
    monthly_usd_before: float
    monthly_usd_after: float
    rps_before: int = 0
    rps_after: int = 0

    @property
    def requests_per_month_before(self) -> int:
        """The recommenders' minimum billed requests a month now (rps × 3600 × 730)."""
        return self.rps_before * SECONDS_PER_HOUR * HOURS_PER_MONTH

    @property
    def requests_per_month_after(self) -> int:
        """The recommenders' minimum billed requests a month after the plan."""
        return self.rps_after * SECONDS_PER_HOUR * HOURS_PER_MONTH

    @property
    def tps_hours_per_month(self) -> float:
        """The change in provisioned TPS-hours a month (negative: fewer)."""
        return (self.tps_after - self.tps_before) * HOURS_PER_MONTH


@dataclass(frozen=True)
class Plan:
    """Every change in the order apply makes it: deletions first (dependents before what
    they depend on), then creations and updates in dependency order; ``unchanged`` ones
    are listed too, at their place."""

    changes: tuple[Change, ...]
    cost: Cost
    prune: bool

    @property
    def pending(self) -> tuple[Change, ...]:
        """The changes apply would make (not unchanged; extras only with prune)."""
        return tuple(c for c in self.changes if c.action not in ("unchanged", "extra"))

    @property
    def blocked(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.blocked)

    @property
    def extra(self) -> tuple[Change, ...]:
        """Resources the account has and the file lacks (deleted only with prune)."""
        return tuple(c for c in self.changes if c.action in ("extra", "delete"))


def comparable(kind: str, spec: Any) -> dict[str, Any]:
    """A resource's fields as compared: defaults filled in as Personalize fills them
    (auto-training's schedule), hyperparameters as their wire strings, a schema as parsed
    JSON."""
    out = spec.model_dump(exclude={"name"})
    if kind == "schemas":
        out.pop("file", None)
        out["definition"] = schema_body(out["definition"] or "null")
    if kind == "solutions":
        out["hyperparameters"] = {k: wire_value(v) for k, v in out["hyperparameters"].items()}
        out["featurization"] = {k: wire_value(v) for k, v in out["featurization"].items()}
        # as on the wire: bare categorical values are strings, an empty hpo says nothing
        out["hpo"] = (hpo_config(spec.hpo) or None) if spec.hpo is not None else None
        auto = out["auto_training"]
        out["auto_training_schedule"] = (
            (out["auto_training_schedule"] or DEFAULT_SCHEDULE) if auto else None
        )
    if kind == "metric_attributions":
        out["metrics"] = sorted(out["metrics"], key=lambda m: (m["event_type"], m["name"]))
    return out


def _diff(kind: str, wanted: Any, current: Any) -> list[FieldChange]:
    a, b = comparable(kind, current), comparable(kind, wanted)
    if kind == "datasets" and b["import_from"] is None:
        b["import_from"] = a["import_from"]  # no import asked for: whatever was imported
    tags: list[FieldChange] = []
    if "tags" in b:
        have, want = a.pop("tags", None) or {}, b.pop("tags")
        if want is not None:  # left out: the file does not manage the resource's tags
            tags = [
                FieldChange(f"{TAG_FIELD}{key}", have.get(key), want.get(key))
                for key in sorted(set(have) | set(want))
                if have.get(key) != want.get(key)
            ]
    return [FieldChange(field_name(k), a[k], b[k]) for k in b if a.get(k) != b[k]] + tags


def make_plan(setup: SetupFile, account: Account, prices: Prices, *, prune: bool = False) -> Plan:
    """Compare ``setup`` with ``account`` (both already read; nothing is called)."""
    have = {(kind, s.name): s for kind in KINDS for s in getattr(account.setup, kind)}
    want = {(kind, s.name): s for kind in KINDS for s in getattr(setup, kind)}
    decided: dict[Key, Change] = {}
    for key in order(setup):
        kind, name = key
        spec = want[key]
        if key not in have:
            decided[key] = Change(kind, name, "create")
            continue
        if account.status.get(key, "") in FAILED:
            # what an earlier apply left failed is made again
            decided[key] = Change(
                kind, name, "replace", because=f"it is {account.status[key]}", blocked=""
            )
            continue
        fields = _diff(kind, spec, have[key])
        fixed = [f for f in fields if not _is_updatable(kind, f.field)]
        if fixed:
            decided[key] = Change(
                kind,
                name,
                "replace",
                tuple(fields),
                because=", ".join(f.field for f in fixed) + " cannot be updated",
                blocked=BLOCKED.get(kind, ""),
            )
        elif fields:
            decided[key] = Change(kind, name, "update", tuple(fields))
        else:
            decided[key] = Change(kind, name, "unchanged")
    _cascade(setup, decided)
    for key, change in decided.items():
        if key[0] == "campaigns" and change.action in ("create", "replace"):
            solution = want[key].solution
            fresh = decided[("solutions", solution)].action in ("create", "replace")
            if fresh or not account.active_versions.get(solution):
                decided[key] = _with(change, trains=True)
    extras = [
        Change(kind, name, "delete" if prune else "extra")
        for kind in reversed(list(KINDS))
        for (k, name) in have
        if k == kind and (k, name) not in want
    ]
    return Plan((*extras, *decided.values()), _cost(setup, account, decided, prices, prune), prune)


def _is_updatable(kind: str, field: str) -> bool:
    """An Update* operation changes ``field`` (TagResource/UntagResource: a tag)."""
    updatable = {field_name(attr) for attr in UPDATABLE.get(kind, set())}
    return field in updatable or field.startswith(TAG_FIELD)


def _with(change: Change, **update: Any) -> Change:
    return Change(**{**change.__dict__, **update})


def _cascade(setup: SetupFile, decided: dict[Key, Change]) -> None:
    """A replaced solution takes its campaigns with it (a campaign serves one of the
    solution's versions, which the deletion removes)."""
    for campaign in setup.campaigns:
        key = ("campaigns", campaign.name)
        parent = decided[("solutions", campaign.solution)]
        if parent.action == "replace" and decided[key].action in ("unchanged", "update"):
            decided[key] = _with(
                decided[key],
                action="replace",
                because=f"its solution {campaign.solution} is replaced",
            )


def _cost(
    setup: SetupFile, account: Account, decided: dict[Key, Change], prices: Prices, prune: bool
) -> Cost:
    before = sum(c.min_tps for c in account.setup.campaigns)
    wanted = {c.name: c.min_tps for c in setup.campaigns}
    kept = {c.name: c.min_tps for c in account.setup.campaigns if c.name not in wanted}
    after = sum(wanted.values()) + (0 if prune else sum(kept.values()))
    runs = [
        setup_campaign.solution
        for setup_campaign in setup.campaigns
        if decided[("campaigns", setup_campaign.name)].trains
    ]
    runs = list(dict.fromkeys(runs))  # one version per solution serves all its campaigns
    known = [account.training_hours[s] for s in runs if s in account.training_hours]
    rps_wanted = {r.name: _min_rps(r) for r in setup.recommenders}
    rps_kept = [_min_rps(r) for r in account.setup.recommenders if r.name not in rps_wanted]
    return Cost(
        training_runs=len(runs),
        training_hours=sum(known),
        known_runs=len(known),
        tps_before=before,
        tps_after=after,
        training_usd=sum(known) * prices.training_hour,
        monthly_usd_before=tiered_cost(before * HOURS_PER_MONTH, prices),
        monthly_usd_after=tiered_cost(after * HOURS_PER_MONTH, prices),
        rps_before=sum(_min_rps(r) for r in account.setup.recommenders),
        rps_after=sum(rps_wanted.values()) + (0 if prune else sum(rps_kept)),
    )


def _min_rps(spec: Any) -> int:
    """A recommender's minimum requests a second (Personalize's default when unset)."""
    return DEFAULT_MIN_RPS if spec.min_rps is None else int(spec.min_rps)
