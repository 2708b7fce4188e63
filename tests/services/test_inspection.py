"""Overlap measures and the verdict, on hand-built lists; concurrent fetching with a fake."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence

import pandas as pd
import pytest

from services import errors
from services.evaluation.inspection import (
    UserRecommendations,
    agreement,
    assess,
    baseline_overlap,
    item_metadata,
    jaccard,
    largest_identical_group,
    overlap_matrix,
    personalization_score,
    recommend_for_users,
    sample_active_users,
    sample_users,
)
from services.personalize.models import Recommendation, RecommendationList
from services.workspace.recipe_capabilities import same_list_by_design

POPULAR = [f"pop{i}" for i in range(10)]


def lists(**by_user: list[str]) -> list[UserRecommendations]:
    return [UserRecommendations(u, tuple(items)) for u, items in by_user.items()]


def test_jaccard_by_hand() -> None:
    assert jaccard(["a", "b", "c"], ["b", "c", "d"]) == pytest.approx(2 / 4)
    assert jaccard(["a"], ["b"]) == 0.0
    assert jaccard(["a", "b"], ["b", "a"]) == 1.0  # order does not matter
    assert jaccard([], []) == 1.0


def test_agreement_counts_shared_items_and_sets_empty_lists_apart() -> None:
    """By hand: u1's two top-3 share b and c (2), u2's share nothing (0): a mean of 1.0 over
    two users; u3 has an empty list from B and u4 from both, so neither is averaged; u5 failed
    on A and is in nothing."""
    a = lists(u1=["a", "b", "c", "z"], u2=["d", "e", "f"], u3=["a"], u4=[])
    a.append(UserRecommendations("u5", error="throttled"))
    b = lists(u1=["c", "b", "x", "a"], u2=["g", "h", "i"], u3=[], u4=[], u5=["a"])
    agreed = agreement(a, b, 3)
    assert (agreed.compared, agreed.mean_shared) == (2, 1.0)
    assert (agreed.empty_a, agreed.empty_b) == (("u4",), ("u3", "u4"))
    assert not agreed.nothing_shared
    apart = agreement(lists(u1=["a"], u2=["b"]), lists(u1=["x"], u2=["y"]), 10)
    assert apart.nothing_shared and apart.compared == 2
    empty = agreement(lists(u1=[]), lists(u1=[]), 10)
    assert empty.compared == 0 and not empty.nothing_shared and empty.empty_a == ("u1",)


def test_empty_lists_are_said_not_compared() -> None:
    """Two empty lists are not "the same list": a filter that leaves nothing gave a red
    "3 of 3 got the same top 10" and "mean overlap 100%" before."""
    nothing = assess(lists(u1=[], u2=[], u3=[]), 10)
    assert nothing.severity == "warning" and nothing.n_empty == 3 and nothing.n_users == 0
    assert nothing.headline.startswith("No sampled user got a recommendation (top 10)")
    assert math.isnan(nothing.mean_jaccard)
    # one empty list among three different ones: left out, the other two compared
    some = assess(lists(u1=["a", "b"], u2=["c", "d"], u3=[]), 10)
    assert (some.n_users, some.n_empty, some.mean_jaccard) == (2, 1, 0.0)
    assert some.severity == "ok"


def test_overlap_matrix_and_personalization_by_hand() -> None:
    matrix = overlap_matrix({"u1": "abc", "u2": "bcd", "u3": "xyz"}, top_n=3)
    assert matrix.loc["u1", "u2"] == pytest.approx(0.5)
    assert matrix.loc["u2", "u1"] == pytest.approx(0.5)
    assert matrix.loc["u1", "u3"] == 0.0
    assert matrix.loc["u3", "u3"] == 1.0
    # mean of the three pairs (0.5, 0, 0) = 1/6
    assert personalization_score(matrix) == pytest.approx(1 - 1 / 6)


def test_overlap_uses_only_top_n() -> None:
    matrix = overlap_matrix({"u1": ["a", "b", "x"], "u2": ["a", "b", "y"]}, top_n=2)
    assert matrix.loc["u1", "u2"] == 1.0


def test_baseline_overlap_per_user() -> None:
    series = baseline_overlap({"u1": ["a", "b"], "u2": ["c", "d"]}, ["a", "b", "c"], top_n=2)
    assert series.to_dict() == {"u1": 1.0, "u2": 0.0}


def test_largest_identical_group_names_users_and_items() -> None:
    group = largest_identical_group(
        {"u1": ["a", "b"], "u2": ["b", "a"], "u3": ["c", "d"], "u4": ["a", "b"]}, top_n=2
    )
    assert group.users == ("u1", "u2", "u4")
    assert group.items == ("a", "b")


def test_identical_lists_are_flagged_with_counts() -> None:
    sample = [UserRecommendations(f"u{i}", tuple(POPULAR)) for i in range(17)]
    sample += [
        UserRecommendations(f"k{i}", tuple(f"k{i}-{j}" for j in range(10))) for i in range(3)
    ]
    verdict = assess(sample, top_n=10)
    assert verdict.severity == "error" and verdict.flagged
    assert verdict.headline.startswith("17 of 20 sampled users got the same top 10: ")
    assert "user IDs match the training data" in verdict.headline
    assert len(verdict.identical.users) == 17
    assert verdict.identical.items == tuple(POPULAR)
    assert (verdict.n_users, verdict.n_errors) == (20, 0)


def test_identical_lists_blame_a_newer_undeployed_version_first() -> None:
    """The demo's trap (a trial found it): the campaign serves a version trained before the
    sampled users' events arrived while a newer one is ACTIVE; the verdict says so instead of
    "unknown users or too little data"."""
    sample = [UserRecommendations(f"u{i}", tuple(POPULAR)) for i in range(11)]
    sample.append(UserRecommendations("k", tuple(f"k-{j}" for j in range(10))))
    verdict = assess(sample, top_n=10, newer_version="2f70fd63")
    assert verdict.severity == "error"
    assert verdict.headline == (
        "11 of 12 sampled users got the same top 10: the campaign serves an older version while "
        "version 2f70fd63 is ACTIVE and not deployed: users whose events arrived after the "
        "served version was trained are unknown to it and get its fallback list (the items most "
        "popular in the data it was trained on, not the popularity campaign's list) until the "
        "campaign is updated (Operations, Deploy). Otherwise check that the app's user IDs match "
        "the training data."
    )
    # Overlapping, not identical, lists (each pair shares 9 of 11 distinct items: Jaccard 0.82,
    # past MEAN_JACCARD_ERROR 0.8) get it too.
    overlapping = lists(a=["x", *POPULAR[:9]], b=["y", *POPULAR[:9]], c=["z", *POPULAR[:9]])
    blamed = assess(overlapping, newer_version="2f70fd63")
    assert blamed.severity == "error" and "version 2f70fd63 is ACTIVE" in blamed.headline
    assert "not deployed" not in assess(overlapping).headline
    # Personalised lists need no blame, newer version or not.
    varied = lists(a=list("abcdefghij"), b=list("klmnopqrst"), c=list("uvwxyzABCD"))
    assert assess(varied, newer_version="2f70fd63").severity == "ok"


def test_identical_lists_from_a_popularity_recipe_are_a_neutral_note() -> None:
    sample = [UserRecommendations(f"u{i}", tuple(POPULAR)) for i in range(12)]
    verdict = assess(sample, top_n=10, baseline=POPULAR, same_by_design=True)
    assert verdict.severity == "info" and not verdict.flagged
    assert verdict.headline.startswith("Popularity recipe: everyone gets the same list by design")
    assert "12 of 12 sampled users got the same top 10" in verdict.headline
    assert "unknown to the model" not in verdict.headline
    assert verdict.baseline_jaccard is None  # popularity against itself says nothing
    # Failures still count: the by-design note does not hide them.
    broken = [UserRecommendations(f"x{i}", error="campaign not ACTIVE") for i in range(12)]
    assert assess(sample + broken, same_by_design=True).severity == "error"


def test_same_list_by_design_is_a_fact_of_the_recipe() -> None:
    pop = "arn:aws:personalize:::recipe/aws-popularity-count"
    assert same_list_by_design(pop) and same_list_by_design("aws-popularity-count")
    assert same_list_by_design("aws-trending-now", "POPULAR_ITEMS")
    assert not same_list_by_design("aws-user-personalization", "USER_PERSONALIZATION")
    assert not same_list_by_design(None)


def test_diverse_lists_are_not_flagged() -> None:
    # 20 users, each list shares 3 of 10 items with a common pool: Jaccard 3/17 between users
    sample = [
        UserRecommendations(f"u{i}", ("p0", "p1", "p2", *(f"u{i}-{j}" for j in range(7))))
        for i in range(20)
    ]
    verdict = assess(sample, top_n=10)
    assert verdict.severity == "ok" and not verdict.flagged
    assert verdict.mean_jaccard == pytest.approx(3 / 17)
    assert verdict.personalization == pytest.approx(1 - 3 / 17)
    assert len(verdict.identical.users) == 1


def test_a_cold_segment_is_a_warning() -> None:
    sample = [UserRecommendations(f"cold{i}", tuple(POPULAR)) for i in range(5)]
    sample += [
        UserRecommendations(f"u{i}", tuple(f"u{i}-{j}" for j in range(10))) for i in range(15)
    ]
    verdict = assess(sample, top_n=10)
    assert verdict.severity == "warning"
    assert verdict.headline.startswith("5 of 20 sampled users got the same top 10")


def test_heavy_overlap_without_identical_lists_is_flagged() -> None:
    # every user shares 8 of 10 items: Jaccard 8/12 = 0.67 between any two
    sample = [UserRecommendations(f"u{i}", (*POPULAR[:8], f"u{i}-a", f"u{i}-b")) for i in range(10)]
    verdict = assess(sample, top_n=10)
    assert verdict.severity == "warning"
    assert verdict.mean_jaccard == pytest.approx(8 / 12)


def test_close_to_popularity_baseline_is_a_warning() -> None:
    # users differ from each other (2 private items, 4 of 8 shared popular ones rotate)…
    sample = lists(
        u1=[*POPULAR[0:8], "a1", "a2"], u2=[*POPULAR[2:10], "b1", "b2"],
        u3=[*POPULAR[0:4], *POPULAR[6:10], "c1", "c2"],
    )  # fmt: skip
    verdict = assess(sample, top_n=10, baseline=POPULAR)
    assert verdict.baseline_jaccard == pytest.approx(8 / 12)
    assert verdict.mean_jaccard < 0.5
    assert verdict.severity == "warning" and "popularity baseline" in verdict.headline


def test_mostly_failed_sample_is_an_error() -> None:
    sample = [UserRecommendations("u1", error="Campaign 'x' was not found")] * 3
    sample += lists(u2=["a"])
    verdict = assess(sample)
    assert verdict.severity == "error"
    assert verdict.headline.startswith("3 of 4 users got no recommendations")
    assert "all of them: Campaign 'x' was not found. Fix" in verdict.headline
    assert math.isnan(verdict.mean_jaccard)


def test_error_verdict_names_the_commonest_error() -> None:
    sample = [UserRecommendations(f"u{i}", error="Throttled.") for i in range(2)]
    sample += [UserRecommendations(f"v{i}", error="No such campaign.") for i in range(3)]
    verdict = assess(sample)
    assert verdict.severity == "error"
    assert "5 of 5 users got no recommendations; 3 of them: No such campaign. Fix" in (
        verdict.headline
    )


class FakeService:
    """Stands in for PersonalizeService.get_recommendations (the function under test is
    recommend_for_users); records how many calls overlap in time."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    def get_recommendations(
        self,
        campaign_arn: str,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = 25,
        filter_arn: str | None = None,
        filter_values: object = None,
        metadata_columns: Sequence[str] = (),
    ) -> RecommendationList:
        assert user_id is not None
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(0.02)
            if user_id.startswith("bad"):
                raise errors.NotFound(f"User call failed for {user_id}")
            items = (Recommendation(f"{user_id}-1", 0.5), Recommendation(f"{user_id}-2"))
            return RecommendationList(items, recommendation_id=f"RID-{user_id}")
        finally:
            with self.lock:
                self.active -= 1


def test_recommend_for_users_is_concurrent_ordered_and_captures_errors() -> None:
    fake = FakeService()
    users = [f"u{i}" for i in range(10)] + ["bad1"]
    results = recommend_for_users(fake, "arn:campaign", users, max_workers=4)
    assert [r.user_id for r in results] == users
    assert results[0].items == ("u0-1", "u0-2")
    assert results[0].scores == (0.5, None)
    assert results[-1].error == "User call failed for bad1" and results[-1].items == ()
    assert 1 < fake.peak <= 4


def test_sample_users() -> None:
    interactions = pd.DataFrame(
        {"USER_ID": ["a"] * 5 + ["b"] * 3 + ["c"] * 3 + ["d"], "ITEM_ID": ["i"] * 12}
    )
    assert sample_users(interactions, 2, "most_active") == ["a", "b"]  # b before c: tie by ID
    assert sample_users(interactions, 2, "least_active") == ["d", "b"]
    random_pick = sample_users(interactions, 3, "random", seed=7)
    assert random_pick == sample_users(interactions, 3, "random", seed=7)
    assert len(set(random_pick)) == 3 and set(random_pick) <= {"a", "b", "c", "d"}
    assert sorted(sample_users(interactions, 10, "random")) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="USER_ID"):
        sample_users(interactions.drop(columns="USER_ID"), 1)


def test_sample_users_most_recent_orders_by_latest_event() -> None:
    frame = pd.DataFrame(
        {
            "USER_ID": ["a", "a", "b", "c", "c", "d"],
            "TIMESTAMP": [100, 900, 500, 300, 800, 900],
        }
    )
    # Latest events: a 900, d 900 (tie → by ID), c 800, b 500.
    assert sample_users(frame, 3, "most_recent") == ["a", "d", "c"]
    assert sample_users(frame, 10, "most_recent") == ["a", "d", "c", "b"]


def test_sampling_from_activity_breaks_ties_at_the_cut_by_user_id() -> None:
    # user_activity's order (by user ID) and out of it: the answer must not depend on it
    activity = pd.DataFrame(
        {
            "user": ["a", "b", "c", "d", "e", "f", "g"],
            "count": [2, 5, 2, 1, 5, 2, 1],
            "latest": [300.0, float("nan"), 700.0, 700.0, 100.0, 700.0, float("nan")],
        }
    )
    shuffled = activity.iloc[[6, 2, 4, 0, 5, 1, 3]]
    for frame in (activity, shuffled):
        # by hand: latest 700 (c, d, f) > 300 (a) > 100 (e), unknown latest (b, g) last
        assert sample_active_users(frame, 2, "most_recent") == ["c", "d"]
        assert sample_active_users(frame, 4, "most_recent") == ["c", "d", "f", "a"]
        assert sample_active_users(frame, 6, "most_recent") == ["c", "d", "f", "a", "e", "b"]
        # counts: 5 (b, e), 2 (a, c, f), 1 (d, g); the cut falls inside the tie at 2
        assert sample_active_users(frame, 3, "most_active") == ["b", "e", "a"]
        assert sample_active_users(frame, 3, "least_active") == ["d", "g", "a"]
        assert sample_active_users(frame, 9, "least_active") == ["d", "g", "a", "c", "f", "b", "e"]
    assert sample_active_users(activity, 3, "random", seed=4) == sample_active_users(
        shuffled.sort_values("user"), 3, "random", seed=4
    )


def test_verdict_counts_popular_item_fillers() -> None:
    known = UserRecommendations("u1", ("a", "b", "c"), reasons=(None, None, None))
    cold = UserRecommendations(
        "cold", ("p", "q", "r"), reasons=("Popular item", "Popular item", "Exploration")
    )
    verdict = assess([known, cold], top_n=2)
    assert verdict.popular_fillers == 2  # only the top 2 count; Exploration is not a filler


def test_item_metadata_is_one_row_per_item_shown_with_its_columns() -> None:
    results = [
        UserRecommendations(
            "u1",
            items=("a", "b", "c"),
            metadata=({"PRICE": "1.0"}, {"PRICE": "2.0", "CATEGORY_L1": "hats"}, {"PRICE": "9"}),
        ),
        UserRecommendations("u2", items=("b", "d"), metadata=({"PRICE": "2.0"}, {})),
        UserRecommendations("u3", error="boom"),
    ]
    frame = item_metadata(results, top_n=2)  # "c" is third: outside the top 2
    assert frame.columns.tolist() == ["item", "PRICE", "CATEGORY_L1"]
    assert frame.values.tolist() == [
        ["a", "1.0", ""],
        ["b", "2.0", "hats"],
        ["d", "", ""],
    ]
    assert item_metadata([UserRecommendations("u1", items=("a",))], 10).empty


def test_new_users_with_one_list_are_the_expected_cold_start() -> None:
    sample = lists(**{f"new{i}": ["p1", "p2", "p3"] for i in range(6)})
    verdict = assess(sample, top_n=3, baseline=["x", "y", "z"], new_users=True)
    assert verdict.severity == "info"
    assert verdict.headline.startswith("Cold start: 6 of 6 sampled users got the same top 3")
    assert verdict.baseline_jaccard is None
    # the same sample as real users is the alarm
    assert assess(sample, top_n=3).severity == "error"


def test_documented_reasons_read_in_the_page_language_and_others_stay_data() -> None:
    """GetRecommendations' documented reasons ("Popular item", "Promoted item", "Exploration
    item") are shown in Korean on a Korean page; a value the service did not document (a
    promotion's name) is data and stays as given."""
    from services.evaluation.inspection import reason_text
    from services.i18n import current_language, use_language

    before = current_language()
    try:
        use_language("ko")
        assert reason_text("Popular item") == "인기 상품"
        assert reason_text("Promoted item; Exploration item") == "프로모션 상품; 탐색 상품"
        assert reason_text("Summer sale") == "Summer sale"
        use_language("en")
        assert reason_text("Popular item; 여름 세일") == "Popular item; 여름 세일"
    finally:
        use_language(before)
