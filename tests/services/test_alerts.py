"""Alerts: the overview snapshot becomes a severity-sorted list of findings with a place to act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.personalize.models import (
    Campaign,
    CampaignUpdate,
    Dataset,
    DatasetGroup,
    ImportJob,
    Solution,
    SolutionVersion,
)
from services.workspace.alerts import (
    Alert,
    DataCounts,
    build_alerts,
    sort_alerts,
)
from services.workspace.overview import (
    DatasetGroupOverview,
    DatasetStatus,
    SolutionStatus,
    campaign_status,
)

A = "arn:aws:personalize:us-east-1:123456789012"
GROUP = DatasetGroup(f"{A}:dataset-group/shop", "shop", "ACTIVE")
SOL = f"{A}:solution/shop-up"
V1, V2 = f"{SOL}/1a2b3c4d", f"{SOL}/9f8e7d6c"
CAMP = f"{A}:campaign/shop-campaign"
NOW = datetime(2024, 1, 10, 12, tzinfo=UTC)


def ago(**kw: float) -> datetime:
    return NOW - timedelta(**kw)


def interactions(job: ImportJob | None) -> DatasetStatus:
    ds = Dataset(f"{A}:dataset/shop/INTERACTIONS", "shop-i", "INTERACTIONS", "ACTIVE")
    return DatasetStatus(ds, job)


def job(status: str, reason: str | None = None) -> ImportJob:
    return ImportJob(
        f"{A}:dataset-import-job/nightly", "nightly", status, failure_reason=reason,
        created=ago(hours=5), updated=ago(hours=4),
    )  # fmt: skip


def versions(v2_status: str = "ACTIVE", v2_age: timedelta = timedelta(hours=3)) -> list:
    return [
        SolutionVersion(V2, v2_status, created=NOW - v2_age, failure_reason="out of memory"),
        SolutionVersion(V1, "ACTIVE", created=ago(days=30)),
    ]


def group(
    *,
    datasets: tuple[DatasetStatus, ...] | None = None,
    vs: list | None = None,
    campaign: Campaign | None = None,
) -> DatasetGroupOverview:
    vs = versions() if vs is None else vs
    solution = Solution(SOL, "shop-up", "ACTIVE", recipe_arn="arn:aws:personalize:::recipe/x")
    active = [v for v in vs if v.status == "ACTIVE"]
    sol_status = SolutionStatus(solution, vs[0] if vs else None, active[0] if active else None, 2)
    camp = campaign or Campaign(CAMP, "shop-campaign", "ACTIVE", solution_version_arn=V1)
    return DatasetGroupOverview(
        GROUP,
        (interactions(job("ACTIVE")),) if datasets is None else datasets,
        (),
        (sol_status,),
        (campaign_status(camp, SOL, vs, NOW),),
    )


def kinds(alerts: list[Alert]) -> list[str]:
    return [a.kind for a in alerts]


def test_campaign_behind_newest_active_is_a_warning_with_versions_and_age() -> None:
    alerts = build_alerts([group()], NOW)
    assert kinds(alerts) == ["campaign_behind"]
    alert = alerts[0]
    assert alert.severity == "warning"
    assert alert.page == "operations"
    assert alert.target == CAMP
    assert alert.message == (
        "Campaign shop-campaign serves version shop-up/1a2b3c4d; version shop-up/9f8e7d6c has "
        "been ACTIVE for 3 h and is not deployed."
    )


def test_a_week_undeployed_becomes_an_error() -> None:
    alerts = build_alerts([group(vs=versions(v2_age=timedelta(days=8)))], NOW)
    assert [(a.kind, a.severity) for a in alerts] == [("campaign_behind", "error")]
    assert "for 8 d" in alerts[0].message


def test_campaign_on_newest_version_raises_nothing() -> None:
    camp = Campaign(CAMP, "shop-campaign", "ACTIVE", solution_version_arn=V2)
    assert build_alerts([group(campaign=camp)], NOW) == []


def test_pending_update_shows_updating_instead_of_behind() -> None:
    update = CampaignUpdate("CREATE IN_PROGRESS", solution_version_arn=V2, created=ago(minutes=2))
    camp = Campaign(CAMP, "shop-campaign", "ACTIVE", solution_version_arn=V1, pending_update=update)
    alerts = build_alerts([group(campaign=camp)], NOW)
    assert kinds(alerts) == ["campaign_updating"]
    assert alerts[0].severity == "info"
    assert "updating to version shop-up/9f8e7d6c" in alerts[0].message


def test_failed_update_is_an_error_naming_both_versions() -> None:
    update = CampaignUpdate("CREATE FAILED", solution_version_arn=V2, failure_reason="boom")
    camp = Campaign(CAMP, "shop-campaign", "ACTIVE", solution_version_arn=V1, pending_update=update)
    alerts = build_alerts([group(campaign=camp)], NOW)
    assert kinds(alerts) == ["update_failed", "campaign_behind"]
    assert "(to version shop-up/9f8e7d6c)" in alerts[0].message
    assert "still serves shop-up/1a2b3c4d" in alerts[0].message


def test_failed_training_and_failed_import_are_errors_sorted_first_oldest_first() -> None:
    vs = versions(v2_status="CREATE FAILED", v2_age=timedelta(hours=1))
    failed_import = job("CREATE FAILED", "TIMESTAMP column is not epoch seconds")
    alerts = build_alerts([group(datasets=(interactions(failed_import),), vs=vs)], NOW)
    assert kinds(alerts) == ["import_failed", "version_failed"]
    assert all(a.severity == "error" for a in alerts)
    assert alerts[0].page == "data"
    assert alerts[0].message.endswith("failed 4 h ago: TIMESTAMP column is not epoch seconds")
    assert "Training of version shop-up/9f8e7d6c failed" in alerts[1].message
    assert "out of memory" in alerts[1].message


def test_missing_interactions_dataset_and_missing_import_are_warnings() -> None:
    no_dataset = build_alerts([group(datasets=())], NOW)
    assert kinds(no_dataset) == ["campaign_behind", "no_interactions"]  # undated sorts last
    assert {a.severity for a in no_dataset} == {"warning"}
    assert "no_import" in kinds(build_alerts([group(datasets=(interactions(None),))], NOW))


def test_data_below_minimum_only_when_counts_are_given() -> None:
    overview = group()
    assert "data_below_minimum" not in kinds(build_alerts([overview], NOW))
    low = {GROUP.arn: DataCounts(interactions=900, users_with_two=40)}
    alerts = build_alerts([overview], NOW, data_counts=low)
    assert alerts[0].kind == "data_below_minimum"
    assert "900 interactions (minimum 1,000)" in alerts[0].message
    assert "users" not in alerts[0].message.split(":", 1)[1].split(".")[0]
    enough = {GROUP.arn: DataCounts(interactions=5000, users_with_two=25)}
    assert "data_below_minimum" not in kinds(build_alerts([overview], NOW, data_counts=enough))


def test_sort_puts_errors_first_then_oldest() -> None:
    new_err = Alert("error", "e1", "data", since=ago(hours=1))
    old_err = Alert("error", "e2", "data", since=ago(days=1))
    undated_err = Alert("error", "e3", "data")
    warn = Alert("warning", "w", "operations", since=ago(days=30))
    info = Alert("info", "i", "operations", since=ago(days=60))
    ordered = sort_alerts([info, warn, new_err, undated_err, old_err])
    assert [a.message for a in ordered] == ["e2", "e1", "e3", "w", "i"]


def test_a_count_of_one_below_the_minimum_reads_in_either_language() -> None:
    from services.i18n import use_language

    low = {GROUP.arn: DataCounts(interactions=1, users_with_two=1)}
    try:
        for language, interactions, users in (
            ("en", "1 interaction (minimum 1,000)", "1 user with ≥ 2 interactions (minimum 25)"),
            ("ko", "상호작용 1건 (최소 1,000)", "상호작용이 2건 이상인 사용자 1명 (최소 25)"),
        ):
            use_language(language)
            (alert,) = [
                a
                for a in build_alerts([group()], NOW, data_counts=low)
                if a.kind == "data_below_minimum"
            ]
            assert f"{interactions}; {users}" in alert.message
    finally:
        use_language("en")
