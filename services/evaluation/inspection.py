"""Side-by-side recommendations: do different users get different lists?

Lesson 2 of DESIGN.md: with too little data, or with users the model never saw, Personalize
falls back to popular items and everybody gets the same list. This module fetches lists for a
sample of users concurrently, measures their overlap (Jaccard of top-N sets) and turns the
numbers into a verdict a merchandiser can act on.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from services.errors import ServiceError
from services.i18n import N_, _, formats, ngettext
from services.personalize.facade import PersonalizeService

MAX_WORKERS = 8  # concurrent GetRecommendations calls; AWS throttles a burst of many more

# --- verdict thresholds -------------------------------------------------------------------
# Identical lists: the share of sampled users whose top-N is exactly the same set. A model that
# knows its users gives each a different top 10 even on a small catalogue, so a large group of
# identical lists means those users got the popularity fallback (unknown IDs, or too little data).
IDENTICAL_SHARE_ERROR = 0.5  # half the sample with one list: the model is not personalising
IDENTICAL_SHARE_WARNING = 0.2  # a fifth: a cold segment (new users, IDs that don't match)
# Mean pairwise Jaccard of top-N sets. Personalised lists on a catalogue of thousands share a
# handful of items at most (Jaccard well under 0.3); 0.5 means ~two thirds of each list is shared.
MEAN_JACCARD_ERROR = 0.8
MEAN_JACCARD_WARNING = 0.5
# Overlap of a user's list with the popularity baseline (e.g. aws-popularity-count): above this,
# the "personalised" lists are mostly the best-sellers.
BASELINE_JACCARD_WARNING = 0.6
# Users whose call failed: above this share the sample says nothing about the model.
ERROR_SHARE_ERROR = 0.5

Severity = Literal["ok", "info", "warning", "error"]  # info: a neutral note, not a finding
SampleHow = Literal["random", "most_recent", "most_active", "least_active"]

# The one default sample: the SAMPLE_USERS most recently active users (latest TIMESTAMP first,
# ties by user ID: ``sample_active_users``) and their top SAMPLE_TOP_N. The Recommendations page
# opens on it and the Overview's identical-lists check asks exactly these users, so both pages
# judge the same lists ("11 of 12" on both, where the Overview used to ask 10 users and the
# page 12, without saying so).
SAMPLE_USERS = 12
SAMPLE_TOP_N = 10
SAMPLE_HOW: SampleHow = "most_recent"


@dataclass(frozen=True)
class UserRecommendations:
    """One user's list, or the error that prevented it (``items`` is then empty)."""

    user_id: str
    items: tuple[str, ...] = ()
    scores: tuple[float | None, ...] = ()
    recommendation_id: str | None = None
    error: str | None = None
    reasons: tuple[str | None, ...] = ()  # per item, e.g. "Popular item" (UP-v2, fallbacks)
    metadata: tuple[Mapping[str, str], ...] = ()  # per item, the metadataColumns asked for

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class IdenticalGroup:
    """The largest set of users whose top-N are the same set of ``items`` (in first-seen order)."""

    users: tuple[str, ...]
    items: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    severity: Severity
    headline: str
    n_users: int  # users with a list (errors and empty lists excluded)
    n_errors: int
    top_n: int
    mean_jaccard: float  # NaN with fewer than two lists
    personalization: float  # 1 - mean_jaccard
    identical: IdenticalGroup
    baseline_jaccard: float | None = None  # mean overlap with the popularity baseline
    popular_fillers: int = 0  # items in the top N that Personalize tagged "Popular item"
    # users answered with an empty list (a filter left no item, say): left out of the overlap,
    # where two empty lists would read as the same list
    n_empty: int = 0

    @property
    def flagged(self) -> bool:
        return self.severity in ("warning", "error")


def recommend_for_users(
    service: PersonalizeService,
    campaign_arn: str,
    user_ids: Sequence[str],
    num_results: int = 25,
    filter_arn: str | None = None,
    filter_values: Mapping[str, str | Sequence[str]] | None = None,
    max_workers: int = MAX_WORKERS,
    metadata_columns: Sequence[str] = (),
) -> list[UserRecommendations]:
    """Lists for many users at once, in the order of ``user_ids``; failures are captured.
    With ``metadata_columns`` each item carries those Items columns (the source must have
    metadata enabled)."""

    def one(user_id: str) -> UserRecommendations:
        try:
            recs = service.get_recommendations(
                campaign_arn,
                user_id=user_id,
                num_results=num_results,
                filter_arn=filter_arn,
                filter_values=filter_values,
                metadata_columns=metadata_columns,
            )
        except ServiceError as err:
            return UserRecommendations(user_id, error=str(err))
        return UserRecommendations(
            user_id,
            items=recs.item_ids,
            scores=tuple(r.score for r in recs.items),
            recommendation_id=recs.recommendation_id,
            reasons=tuple(r.reason for r in recs.items),
            metadata=tuple(r.metadata for r in recs.items) if metadata_columns else (),
        )

    if not user_ids:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(user_ids)))) as pool:
        return list(pool.map(one, user_ids))


def item_metadata(results: Sequence[UserRecommendations], top_n: int) -> pd.DataFrame:
    """One row per item in anybody's top ``top_n`` (first-seen order) with the metadata the
    response carried; empty when no metadata was asked for. Columns: item, then each
    metadata column in first-seen order (missing values are empty strings)."""
    rows: dict[str, Mapping[str, str]] = {}
    for res in results:
        for item, meta in zip(res.items[:top_n], res.metadata, strict=False):
            rows.setdefault(item, meta)
    if not rows:
        return pd.DataFrame()
    columns = list(dict.fromkeys(c for meta in rows.values() for c in meta))
    return pd.DataFrame(
        [[item, *(meta.get(c, "") for c in columns)] for item, meta in rows.items()],
        columns=["item", *columns],
    )


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """|A ∩ B| / |A ∪ B| of two lists as sets; two empty lists are identical (1.0)."""
    set_a, set_b = set(a), set(b)
    union = set_a | set_b
    return len(set_a & set_b) / len(union) if union else 1.0


@dataclass(frozen=True)
class Agreement:
    """How two sources' top-N lists agree, user by user (Recommendations, compare mode).

    ``compared``: users both sources gave a non-empty list; ``mean_shared``: the mean number
    of items in both of a compared user's top-N (0.0 without any); ``empty_a``/``empty_b``:
    users a source answered with an empty list (a filter left nothing, say), left out of the
    mean, since a share of an empty list would read as a disagreement that is not one.
    Users a source failed for are in neither.
    """

    top_n: int
    compared: int
    mean_shared: float
    empty_a: tuple[str, ...]
    empty_b: tuple[str, ...]

    @property
    def nothing_shared(self) -> bool:
        """True when users were compared and no item is in both lists of any of them."""
        return self.compared > 0 and self.mean_shared == 0


def agreement(
    a: Sequence[UserRecommendations], b: Sequence[UserRecommendations], top_n: int
) -> Agreement:
    """Compare the two sources' lists for the users both answered (``Agreement``)."""
    b_lists = {r.user_id: r.items[:top_n] for r in b if r.ok}
    both = [
        (r.user_id, r.items[:top_n], b_lists[r.user_id]) for r in a if r.ok and r.user_id in b_lists
    ]
    shared = [len(set(x) & set(y)) for _user, x, y in both if x and y]
    return Agreement(
        top_n=top_n,
        compared=len(shared),
        mean_shared=sum(shared) / len(shared) if shared else 0.0,
        empty_a=tuple(user for user, x, _y in both if not x),
        empty_b=tuple(user for user, _x, y in both if not y),
    )


def overlap_matrix(lists: Mapping[str, Sequence[str]], top_n: int = 10) -> pd.DataFrame:
    """Pairwise Jaccard of each user's top-N, users as both index and columns."""
    users = list(lists)
    tops = [list(lists[u])[:top_n] for u in users]
    values = np.ones((len(users), len(users)))
    for i, j in itertools.combinations(range(len(users)), 2):
        values[i, j] = values[j, i] = jaccard(tops[i], tops[j])
    return pd.DataFrame(values, index=pd.Index(users, name="user"), columns=users)


def mean_pairwise_jaccard(matrix: pd.DataFrame) -> float:
    """Mean of the off-diagonal cells; NaN with fewer than two users."""
    n = len(matrix)
    if n < 2:
        return float("nan")
    values = matrix.to_numpy()
    return float(values[~np.eye(n, dtype=bool)].mean())


def personalization_score(matrix: pd.DataFrame) -> float:
    """1 − mean pairwise Jaccard: 0 = everyone gets the same list, 1 = no overlap at all."""
    return 1.0 - mean_pairwise_jaccard(matrix)


def baseline_overlap(
    lists: Mapping[str, Sequence[str]], baseline: Sequence[str], top_n: int = 10
) -> pd.Series:
    """Jaccard of each user's top-N with the baseline's top-N (e.g. popularity-count)."""
    base = list(baseline)[:top_n]
    return pd.Series(
        {u: jaccard(list(items)[:top_n], base) for u, items in lists.items()},
        name="baseline_jaccard",
        dtype=float,
    )


def largest_identical_group(lists: Mapping[str, Sequence[str]], top_n: int = 10) -> IdenticalGroup:
    """The most users sharing one top-N set (ties: the set seen first)."""
    keys = {u: frozenset(list(items)[:top_n]) for u, items in lists.items()}
    if not keys:
        return IdenticalGroup((), ())
    counts = Counter(keys.values())
    best = max(counts, key=lambda k: counts[k])  # max keeps the first of equal counts
    users = tuple(u for u, k in keys.items() if k == best)
    return IdenticalGroup(users, tuple(list(lists[users[0]])[:top_n]))


POPULAR_REASON = "Popular item"
# The reasons GetRecommendations documents for an item (PredictedItem ``reason``, botocore
# personalize-runtime ``ReasonList``: "Promoted item", "Popular item", "Exploration item"),
# each with its wording for people; any other value is the service's data and stays as given.
_REASONS = {
    POPULAR_REASON: N_("Popular item"),
    "Promoted item": N_("Promoted item"),
    "Exploration item": N_("Exploration item"),
}


# Why the served version's fallback list and the popularity campaign's list, both "the most
# popular items", can share nothing (trial s11, F7: 0 % beside "most popular" read as a
# contradiction). Each is counted from its own solution version's training data: the local
# engine counts both the same way (distinct users per item after the solution's event-type
# filter: ``Indexed.distinct_users``, used by Popularity-Count and as
# User-Personalization's fallback), so only the data differ; Personalize documents its
# fallback only as "popular items" ("Popular item" reason, GetRecommendations), so on AWS the
# count may differ too. The demo's served version learned before a new collection arrived,
# the popularity campaign's version after it: 0 %.
FALLBACK_VS_POPULARITY = N_(
    "why the two can differ: each list is counted from its own version's training data (the "
    "served version's from the data it was trained on, the popularity campaign's from its "
    "version's, trained at another time or on other event types), so they can share few "
    "items or none"
)


def reason_text(reason: str) -> str:
    """``reason`` (one GetRecommendations reason, or several joined with "; ") as people read
    it: each documented value in the current language, any other part unchanged."""
    return "; ".join(_(_REASONS[r]) if r in _REASONS else r for r in reason.split("; "))


def popular_fillers(results: Sequence[UserRecommendations], top_n: int) -> int:
    """How many of the sampled top-N entries carry Personalize's "Popular item" reason (a
    popularity placeholder: an unknown user, or too few items left after filters)."""
    return sum(
        1
        for r in results
        if r.ok
        for reason in r.reasons[:top_n]
        if reason and POPULAR_REASON in reason
    )


def assess(
    results: Sequence[UserRecommendations],
    top_n: int = 10,
    baseline: Sequence[str] | None = None,
    *,
    same_by_design: bool = False,
    new_users: bool = False,
    newer_version: str | None = None,
) -> Verdict:
    """Judge a sample of lists: identical, overlapping, close to popular, or personalised.

    ``newer_version``: the (short) ID of an ACTIVE version of the campaign's solution, newer
    than the one it serves and not deployed (``CampaignStatus.waiting_version``). Identical or
    overlapping lists are then first blamed on it: users whose events arrived after the served
    version was trained are unknown to that version and get its popular items until the
    campaign is updated, the trap of a version that serves nobody until UpdateCampaign.

    ``same_by_design``: the lists come from a recipe that gives everyone the same list
    (``recipe_capabilities.same_list_by_design``); identical lists then get a neutral "info"
    note instead of an error, and ``baseline`` is ignored (a popularity list measured against
    the popularity baseline says nothing).
    ``new_users``: the sample is IDs no model has seen (the cold-start check); identical lists
    are then the expected fallback, an "info" note, and ``baseline`` is ignored too (the
    fallback is the model's own popularity, which need not match the popularity campaign's).
    """
    if same_by_design or new_users:
        baseline = None
    lists = {r.user_id: r.items for r in results if r.ok and r.items}
    n_errors = sum(1 for r in results if not r.ok)
    n, total = len(lists), len(results)
    n_empty = total - n_errors - n
    matrix = overlap_matrix(lists, top_n)
    mean_j = mean_pairwise_jaccard(matrix)
    group = largest_identical_group(lists, top_n)
    base_j = float(baseline_overlap(lists, baseline, top_n).mean()) if baseline and n else None
    share = len(group.users) / n if n else 0.0
    same = ngettext(
        "{same} of {n} sampled user got the same top {top_n}",
        "{same} of {n} sampled users got the same top {top_n}",
        n,
    ).format(same=len(group.users), n=n, top_n=top_n)
    fix = _(
        "these users are unknown to the model, or the data set is too small; check that the "
        "app's user IDs match the training data and that the campaign serves a version trained "
        "on enough events."
    )
    if newer_version:
        fix = _(
            "the campaign serves an older version while version {version} is ACTIVE and not "
            "deployed: users whose events arrived after the served version was trained are "
            "unknown to it and get its fallback list (the items most popular in the data it "
            "was trained on, not the popularity campaign's list) until the campaign is updated "
            "(Operations, Deploy). Otherwise check that the app's user IDs match the training "
            "data."
        ).format(version=newer_version)

    fillers = popular_fillers(results, top_n)

    def verdict(severity: Severity, headline: str) -> Verdict:
        return Verdict(
            severity,
            headline,
            n,
            n_errors,
            top_n,
            mean_j,
            1 - mean_j,
            group,
            base_j,
            fillers,
            n_empty,
        )

    if total and n_errors / total >= ERROR_SHARE_ERROR:
        # The grid's cells are too narrow for a message; the banner names the commonest one.
        error, count = Counter(r.error for r in results if not r.ok).most_common(1)[0]
        said = _("all of them") if count == n_errors else _("{count} of them").format(count=count)
        return verdict(
            "error",
            ngettext(
                "{failed} of {total} user got no recommendations; {said}: {error}. Fix this "
                "first (campaign status, permissions, filter values, the recipe's kind of "
                "request).",
                "{failed} of {total} users got no recommendations; {said}: {error}. Fix this "
                "first (campaign status, permissions, filter values, the recipe's kind of "
                "request).",
                total,
            ).format(failed=n_errors, total=total, said=said, error=(error or "").rstrip(".")),
        )
    identical = len(group.users) >= 2
    # The first rule that holds gives the verdict: (holds, severity, message, the share the
    # message quotes). A popularity recipe and a cold-start sample come before the faults:
    # identical lists are what they are expected to give.
    rules: tuple[tuple[bool, Severity, str, float], ...] = (
        (
            n == 0 and n_empty > 0,
            "warning",
            N_(
                "No sampled user got a recommendation (top {top_n}): a filter may leave no "
                "item to recommend, or the campaign has none to give."
            ),
            0.0,
        ),
        (n < 2, "ok", N_("Sample at least two users to compare their recommendations."), 0.0),
        (
            same_by_design,
            "info",
            N_(
                "Popularity recipe: everyone gets the same list by design ({same}); compare a "
                "personalised campaign against it."
            ),
            0.0,
        ),
        (
            new_users and identical and share >= IDENTICAL_SHARE_WARNING,
            "info",
            N_(
                "Cold start: {same}, as expected for users no model has seen (each gets the "
                "fallback list). Sample known users to check personalisation."
            ),
            0.0,
        ),
        (
            new_users,
            "info",
            N_(
                "Cold start: new users got {share} different lists (top {top_n}); this recipe "
                "varies its fallback (exploration of new items)."
            ),
            1 - mean_j,
        ),
        (identical and share >= IDENTICAL_SHARE_ERROR, "error", "{same}: {fix}", 0.0),
        (
            mean_j >= MEAN_JACCARD_ERROR,
            "error",
            N_("Lists overlap {share} on average between users (top {top_n}): {fix}"),
            mean_j,
        ),
        (
            identical and share >= IDENTICAL_SHARE_WARNING,
            "warning",
            N_(
                "{same}: they are probably new or unknown to the model and get its fallback "
                "list (the items most popular in the data it was trained on). Check their IDs "
                "against the training data."
            ),
            0.0,
        ),
        (
            mean_j >= MEAN_JACCARD_WARNING,
            "warning",
            N_(
                "Lists overlap {share} on average between users (top {top_n}): personalisation "
                "is weak; more events per user, or a user-personalization recipe, may help."
            ),
            mean_j,
        ),
        (
            base_j is not None and base_j >= BASELINE_JACCARD_WARNING,
            "warning",
            N_(
                "Lists overlap {share} with the popularity baseline on average: users mostly "
                "get best-sellers. Compare the version's metrics with the popularity baseline."
            ),
            base_j or 0.0,
        ),
        (
            True,
            "ok",
            N_(
                "Recommendations differ between users: {share} personalisation across {n} users "
                "(top {top_n})."
            ),
            1 - mean_j,
        ),
    )
    severity, message, quoted = next((s, m, q) for holds, s, m, q in rules if holds)
    return verdict(
        severity,
        _(message).format(same=same, fix=fix, n=n, top_n=top_n, share=formats.share(quoted)),
    )


def user_activity(interactions: pd.DataFrame, user_column: str = "USER_ID") -> pd.DataFrame:
    """One row per user, sorted by user ID: ``user`` (str), ``count`` of interactions and
    ``latest`` TIMESTAMP (NaN when the frame has no TIMESTAMP). Compute it once per snapshot
    and pass it to ``sample_users``: on millions of interactions it is the costly part."""
    if user_column not in interactions.columns:
        raise ValueError(f"interactions has no {user_column!r} column")
    frame = pd.DataFrame({"user": interactions[user_column].astype(str)})
    frame["latest"] = (
        pd.to_numeric(interactions["TIMESTAMP"], errors="coerce")
        if "TIMESTAMP" in interactions.columns
        else np.nan
    )
    grouped = frame.groupby("user", sort=True)["latest"]
    return pd.DataFrame({"count": grouped.size(), "latest": grouped.max()}).reset_index()


def sample_users(
    interactions: pd.DataFrame,
    n: int,
    how: SampleHow = "random",
    seed: int = 0,
    user_column: str = "USER_ID",
    activity: pd.DataFrame | None = None,
) -> list[str]:
    """``n`` distinct user IDs from an interactions frame: random, most or least active, or
    most recent (latest TIMESTAMP first: the users the shop is serving right now).

    Ties are broken by user ID, so the same data always gives the same sample. ``activity``
    is ``user_activity(interactions)`` when the caller keeps it.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if activity is None:
        activity = user_activity(interactions, user_column)
    if how == "most_recent" and "TIMESTAMP" not in interactions.columns:
        raise ValueError("interactions has no 'TIMESTAMP' column")
    return sample_active_users(activity, n, how, seed)


def sample_active_users(
    activity: pd.DataFrame, n: int, how: SampleHow = "random", seed: int = 0
) -> list[str]:
    """``sample_users`` from a ``user_activity`` frame (``user``, ``count``, ``latest``): what
    pages sample from without the interactions themselves. Page reruns call it on every
    widget change, so it selects rather than sorts: a few users from millions cost one pass
    over the frame, not a sort of it."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if how == "most_recent":
        return _first_users(activity, "latest", n, descending=True)
    if how == "random":
        rng = np.random.default_rng(seed)
        picked = rng.choice(len(activity), size=min(n, len(activity)), replace=False)
        return activity["user"].iloc[picked].tolist()
    if how not in ("most_active", "least_active"):
        raise ValueError(
            f"how must be 'random', 'most_recent', 'most_active' or 'least_active', not {how!r}"
        )
    return _first_users(activity, "count", n, descending=how == "most_active")


def _first_users(activity: pd.DataFrame, column: str, n: int, descending: bool) -> list[str]:
    """The first ``n`` users of ``activity`` ordered by ``column`` (NaN last), ties by user
    ID: the head of a stable sort of the whole frame, found by a partial selection of the
    ``n``-th value (linear) and a sort of the rows up to it only."""
    values = activity[column].to_numpy(dtype="float64")
    key = -values if descending else values.copy()
    key[np.isnan(key)] = np.inf  # NaN last either way, as sort_values puts it
    rows = np.arange(len(key))
    if n < len(key):
        kth = np.partition(key, n - 1)[n - 1]
        ahead = np.flatnonzero(key < kth)  # fewer than n rows
        tied = np.flatnonzero(key == kth)
        tied_users = activity["user"].iloc[tied]
        if tied_users.is_monotonic_increasing:  # user_activity's order: the first win the tie
            tied = tied[: n - len(ahead)]
        rows = np.concatenate([ahead, tied])
    chosen = pd.DataFrame({"key": key[rows], "user": activity["user"].iloc[rows].to_numpy()})
    return chosen.sort_values(["key", "user"], kind="stable")["user"].head(n).tolist()
