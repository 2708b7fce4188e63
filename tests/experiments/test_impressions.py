"""Per-arm impressions and click-through rate on a small event log, counted by hand.

The users' arms come from docs/experiments.md's test vectors (summer-recs, 50/50): user-3 and
user-4 are in A, user-1 and user-2 in B. Clicks are "View" events.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.experiments.impressions import ArmImpressions
from services.experiments.outcomes import NEEDS_IMPRESSION, arm_outcomes
from tests.experiments.test_outcomes import START, T0, _events, _experiment

NAN = float("nan")
L1 = ("i1", "i2", "i3")
L2 = ("i4", "i5")
L3 = ("i5", "i6")


def _log() -> list[tuple[object, ...]]:
    return [
        # user, session, item, time, type, value, recommendationId, source, impression
        ("user-3", "s0", "i1", T0 - 10, "View", NAN, "r0", None, ("i1",)),  # before the start
        # L1, shown in s1: two of its items clicked, one bought (a purchase is no click)
        ("user-3", "s1", "i1", T0 + 10, "View", NAN, "r1", None, L1),
        ("user-3", "s1", "i2", T0 + 20, "View", NAN, "r1", None, L1),
        ("user-3", "s1", "i2", T0 + 30, "Purchase", NAN, None, None, L1),
        # L2, shown in s2 with a purchase of another item; its i4 clicked later by an event
        # that does not carry the list (same user and session: a click on a shown item)
        ("user-3", "s2", "i9", T0 + 40, "Purchase", NAN, None, None, L2),
        ("user-3", "s2", "i4", T0 + 50, "View", NAN, None, None, None),
        # L3, shown in s4: the click on i5 came before the list was first seen, the one on i7
        # is not on a shown item, and i6 was clicked in another session: L3 is not clicked
        ("user-4", "s4", "i5", T0 + 5, "View", NAN, None, None, None),
        ("user-4", "s4", "i7", T0 + 60, "View", NAN, "r3", None, L3),
        ("user-4", "s5", "i6", T0 + 70, "View", NAN, None, None, None),
        # B's users sent no impression and no recommendationId
        ("user-1", "s6", "i1", T0 + 80, "View", NAN, None, None, None),
        ("user-2", "s7", "i2", T0 + 90, "Purchase", NAN, None, None, None),
    ]


def test_impressions_and_click_through_rate_per_arm_by_hand() -> None:
    a, b = arm_outcomes(_experiment(), _events(_log()), {}, START + timedelta(days=1)).arms
    # A: 3 lists (L1, L2, L3) of 3 + 2 + 2 items; clicks on shown items: i1 and i2 of L1, i4
    # of L2; L1 and L2 clicked: 2 of 3
    assert a.impressions == ArmImpressions(lists=3, items=7, clicks=3, clicked_lists=2)
    assert a.impressions.click_through_rate == pytest.approx(2 / 3)
    # "lists acted on" still counts distinct recommendationIds with an event: r1 and r3
    assert a.lists_acted_on == 2
    assert b.impressions == ArmImpressions(0, 0, 0, 0)
    assert b.impressions.click_through_rate is None  # no impression data: unknown, not 0


def test_one_list_sent_both_ways_in_a_session_counts_once() -> None:
    """The same items, named once by recommendationId (resolved upstream to its list) and once
    as an explicit impression, in one session, are one shown list; the same items in another
    session are a second one."""
    log = [
        ("user-3", "s1", "i1", T0 + 10, "View", NAN, "r1", None, L1),
        ("user-3", "s1", "i8", T0 + 20, "View", NAN, None, None, L1),
        ("user-3", "s2", "i8", T0 + 30, "View", NAN, None, None, L1),
    ]
    a, _b = arm_outcomes(_experiment(), _events(log), {}, START + timedelta(days=1)).arms
    assert a.impressions == ArmImpressions(lists=2, items=6, clicks=1, clicked_lists=1)
    assert a.impressions.click_through_rate == 0.5


def test_without_the_impression_column_the_figures_are_unknown() -> None:
    events = _events(_log())
    out = arm_outcomes(
        _experiment(), events, {}, START + timedelta(days=1), frozenset({NEEDS_IMPRESSION})
    )
    assert [arm.impressions for arm in out.arms] == [None, None]
