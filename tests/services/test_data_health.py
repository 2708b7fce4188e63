"""Data-based alerts: training minimums, a quiet event tracker, identical lists per campaign."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import timedelta

import pandas as pd

from services.datasets.interaction_summary import summary_of_frames
from services.evaluation.inspection import IdenticalGroup, Verdict
from services.personalize.models import Campaign, EventTracker, Solution
from services.workspace.data_health import identical_list_alerts, quiet_tracker_alerts
from services.workspace.overview import SolutionStatus, waiting_version_id
from tests.services.test_alerts import CAMP, GROUP, NOW, SOL, V2, A, group, versions

TRACKER = EventTracker(f"{A}:event-tracker/abcd1234", "shop-tracker", "ACTIVE")


def frame(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["USER_ID", "TIMESTAMP"]).assign(ITEM_ID="i1")


def test_quiet_tracker_warns_after_a_day_without_events() -> None:
    g = dataclasses.replace(group(), event_trackers=(TRACKER,))
    fresh = int((NOW - timedelta(hours=2)).timestamp())
    stale = int((NOW - timedelta(days=3)).timestamp())
    assert quiet_tracker_alerts(g, fresh, NOW) == []
    [alert] = quiet_tracker_alerts(g, stale, NOW)
    assert alert.kind == "no_recent_events" and "3 d old" in alert.message
    assert alert.since == NOW - timedelta(days=3)
    [never] = quiet_tracker_alerts(g, None, NOW)
    assert "none ever arrived" in never.message
    # Without an event tracker nobody expects PutEvents.
    assert quiet_tracker_alerts(group(), None, NOW) == []


def verdict(severity: str, headline: str) -> Verdict:
    return Verdict(severity, headline, 10, 0, 10, math.nan, math.nan, IdenticalGroup((), ()))


def test_identical_lists_flag_only_personalised_campaigns() -> None:
    asked: list[tuple[str, tuple[str, ...], str | None]] = []

    def probe(campaign: str, users: Sequence[str], newer: str | None) -> Verdict:
        asked.append((campaign, tuple(users), newer))
        return verdict("error", "9 of 12 sampled users got the same top 10: same list.")

    recent = summary_of_frames(frame([(f"u{n}", 1000 + n) for n in range(15)]), pd.DataFrame())
    personal = dataclasses.replace(
        group(),
        solutions=(SolutionStatus(Solution(SOL, "shop-up", "ACTIVE",
                   recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization"),
                   None, None, 1),),
    )  # fmt: skip
    [alert] = identical_list_alerts(personal, recent.recent_users, probe)
    assert alert.kind == "identical_recommendations" and alert.target == CAMP
    # The twelve most recent users (latest TIMESTAMP first), the sample the Recommendations
    # page opens on (inspection.SAMPLE_USERS), were asked, and the alert says so: the check
    # used to ask ten, so the Overview said "10 of 10" where the page said "11 of 12".
    # The campaign serves V1 while V2 (9f8e7d6c, 3 h old) is ACTIVE: the probe is told, so the
    # verdict can blame the undeployed version first.
    assert asked == [(CAMP, tuple(f"u{n}" for n in range(14, 2, -1)), "shop-up/9f8e7d6c")]
    assert alert.message == (
        "Campaign shop-campaign: 9 of 12 sampled users got the same top 10: same list. Asked for "
        "its 12 most recently active users, the sample the Recommendations page opens on."
    )
    # A popularity campaign gives everybody the same list by design: never probed.
    asked.clear()
    assert identical_list_alerts(group(), recent.recent_users, probe) == []
    assert asked == []


def test_a_healthy_verdict_raises_nothing() -> None:
    personal = dataclasses.replace(
        group(),
        solutions=(SolutionStatus(Solution(SOL, "shop-up", "ACTIVE",
                   recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization"),
                   None, None, 1),),
    )  # fmt: skip
    users = [f"u{n}" for n in range(5)]
    assert identical_list_alerts(personal, users, lambda c, u, n: verdict("ok", "fine")) == []
    # No interactions yet: nobody to probe.
    assert identical_list_alerts(personal, [], lambda c, u, n: verdict("error", "same")) == []


def test_a_campaign_on_its_newest_version_is_probed_without_a_newer_one() -> None:
    told: list[str | None] = []

    def probe(campaign: str, users: Sequence[str], newer: str | None) -> Verdict:
        told.append(newer)
        return verdict("ok", "fine")

    on_v2 = Campaign(CAMP, "shop-campaign", "ACTIVE", solution_version_arn=V2)
    personal = dataclasses.replace(
        group(campaign=on_v2),
        solutions=(SolutionStatus(Solution(SOL, "shop-up", "ACTIVE",
                   recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization"),
                   None, None, 1),),
    )  # fmt: skip
    identical_list_alerts(personal, ["u1", "u2"], probe)
    assert told == [None]


def test_waiting_version_id_names_the_undeployed_version_of_that_campaign_only() -> None:
    behind = group()  # serves V1, V2 is ACTIVE and newer
    assert waiting_version_id([behind], GROUP.arn, CAMP) == "shop-up/9f8e7d6c"
    current = group(campaign=Campaign(CAMP, "shop-campaign", "ACTIVE", solution_version_arn=V2))
    assert waiting_version_id([current], GROUP.arn, CAMP) is None
    assert waiting_version_id([behind], GROUP.arn, f"{A}:campaign/other") is None
    assert waiting_version_id([behind], f"{A}:dataset-group/other", CAMP) is None
    # A newer version still training is not waiting: nothing to deploy yet.
    training = group(vs=versions(v2_status="CREATE_IN_PROGRESS"))
    assert waiting_version_id([training], GROUP.arn, CAMP) is None
