"""Apply against the local engine: reproducing an export, each kind of change, resuming after
a failure, and --prune refusing without a confirmation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tomli_w

from services.config import Settings
from services.costs.pricing import prices_for
from services.local.engine import reset_engines
from services.personalize.clients import Clients
from services.polling import Polling
from services.setup_file import cli
from services.setup_file.apply import Applier, ApplyError
from services.setup_file.export import to_toml
from services.setup_file.plan import make_plan
from services.setup_file.reading import parse
from services.setup_file.state import read_account
from services.store.tables import Store
from tests.local.domain_shop import create_domain_shop, create_recommender
from tests.local.workspace import ITEMS_SCHEMA
from tests.setup_file.conftest import fresh_engine

FAST = Polling(interval_s=0.05, timeout_s=120.0)
PRICES = prices_for("us-east-1")


def apply_text(clients: Clients, text: str, prune: bool = False) -> list[str]:
    setup, account = parse(text), read_account(clients.personalize)
    plan = make_plan(setup, account, PRICES, prune=prune)
    return Applier(clients.personalize, setup, account, polling=FAST, say=lambda _: None).apply(
        plan
    )


def pending(clients: Clients, text: str) -> list[str]:
    plan = make_plan(parse(text), read_account(clients.personalize), PRICES)
    return [f"{c.action} {c.label}" for c in plan.pending]


def test_export_applied_to_an_empty_engine_reproduces_it(
    small_shop: Clients, settings: Settings, tmp_path: Path
) -> None:
    text = to_toml(read_account(small_shop.personalize).setup)
    other = fresh_engine(settings, tmp_path)
    try:
        done = apply_text(other, text)
        assert "campaigns/pop-campaign" in done and "datasets/shop-interactions" in done
        assert pending(other, text) == []
        assert read_account(other.personalize).setup == parse(text)
        campaign = other.personalize.list_campaigns()["campaigns"][0]
        assert campaign["status"] == "ACTIVE"
    finally:
        reset_engines()


def test_each_kind_of_change_is_applied(small_shop: Clients) -> None:
    p = small_shop.personalize
    text = to_toml(read_account(p).setup)
    edited = text.replace("min_tps = 2", "min_tps = 3").replace(
        "auto_training = true", "auto_training = false"
    )
    edited += '\n[[filters]]\nname = "cheap"\ndataset_group = "shop"\n'
    edited += "expression = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"view\")'\n"
    assert sorted(apply_text(small_shop, edited)) == [
        "campaigns/pop-campaign",
        "filters/cheap",
        "solutions/sims",
    ]
    assert pending(small_shop, edited) == []
    campaign = p.list_campaigns()["campaigns"][0]
    assert (
        p.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]["minProvisionedTPS"]
        == 3
    )
    # a changed hyperparameter replaces the solution (no Update* changes solutionConfig)
    changed = edited.replace('item_id_hidden_dim = "100"', 'item_id_hidden_dim = "120"')
    assert apply_text(small_shop, changed) == ["solutions/sims"]
    assert pending(small_shop, changed) == []
    sims = [s for s in read_account(p).setup.solutions if s.name == "sims"][0]
    assert (sims.hyperparameters, sims.auto_training) == ({"item_id_hidden_dim": "120"}, False)


def test_sync_with_latest_creates_updates_and_turns_off(small_shop: Clients) -> None:
    p = small_shop.personalize
    text = to_toml(read_account(p).setup)
    assert text.count("sync_with_latest = false") == 1  # pop-campaign, as exported
    synced = text.replace("sync_with_latest = false", "sync_with_latest = true")
    synced += '\n[[campaigns]]\nname = "pop-latest"\nsolution = "pop"\nsync_with_latest = true\n'
    assert sorted(apply_text(small_shop, synced)) == [
        "campaigns/pop-campaign",
        "campaigns/pop-latest",
    ]
    assert pending(small_shop, synced) == []

    def config(name: str) -> dict:
        arn = next(c["campaignArn"] for c in p.list_campaigns()["campaigns"] if c["name"] == name)
        return p.describe_campaign(campaignArn=arn)["campaign"]["campaignConfig"]

    assert config("pop-campaign")["syncWithLatestSolutionVersion"] is True
    assert config("pop-latest")["syncWithLatestSolutionVersion"] is True
    # turning it off is an update too, and the campaign keeps serving
    off = synced.replace("sync_with_latest = true", "sync_with_latest = false", 1)
    assert apply_text(small_shop, off) == ["campaigns/pop-campaign"]
    assert config("pop-campaign")["syncWithLatestSolutionVersion"] is False
    assert pending(small_shop, off) == []


OBJECTIVE_FILE = tomli_w.dumps(
    {
        "version": 1,
        "schemas": [{"name": "items", "definition": ITEMS_SCHEMA}],
        "dataset_groups": [{"name": "priced"}],
        "datasets": [
            {"name": "priced-items", "dataset_group": "priced", "type": "Items", "schema": "items"}
        ],
        "solutions": [
            {
                "name": "dear",
                "dataset_group": "priced",
                "recipe": "aws-user-personalization",
                "auto_training": False,
                "optimization_objective": {"item_attribute": "PRICE", "sensitivity": "HIGH"},
            }
        ],
    }
)


def test_optimization_objective_is_created_read_back_and_replaced(clients: Clients) -> None:
    p = clients.personalize
    assert apply_text(clients, OBJECTIVE_FILE)[-1] == "solutions/dear"
    assert pending(clients, OBJECTIVE_FILE) == []
    arn = p.list_solutions()["solutions"][0]["solutionArn"]
    config = p.describe_solution(solutionArn=arn)["solution"]["solutionConfig"]
    assert config["optimizationObjective"] == {
        "itemAttribute": "PRICE",
        "objectiveSensitivity": "HIGH",
    }
    exported = to_toml(read_account(p).setup)
    assert 'optimization_objective = { item_attribute = "PRICE", sensitivity = "HIGH" }' in exported
    # no Update* changes it: the plan replaces the solution and says why
    low = OBJECTIVE_FILE.replace('"HIGH"', '"LOW"')
    plan = make_plan(parse(low), read_account(p), PRICES)
    (change,) = plan.pending
    assert (change.label, change.action) == ("solutions/dear", "replace")
    assert "optimization_objective cannot be updated" in change.because


def test_events_config_is_created_read_back_and_replaced(small_shop: Clients) -> None:
    p = small_shop.personalize
    text = to_toml(read_account(p).setup)
    text += '\n[[solutions]]\nname = "weighted"\ndataset_group = "shop"\n'
    text += 'recipe = "aws-user-personalization-v2"\nauto_training = false\n'
    text += 'events = [{ event_type = "view", weight = 0.3, value_threshold = 2.5 }]\n'
    assert apply_text(small_shop, text) == ["solutions/weighted"]
    assert pending(small_shop, text) == []
    arn = next(s["solutionArn"] for s in p.list_solutions()["solutions"] if s["name"] == "weighted")
    config = p.describe_solution(solutionArn=arn)["solution"]["solutionConfig"]
    assert config["eventsConfig"] == {
        "eventParametersList": [{"eventType": "view", "weight": 0.3, "eventValueThreshold": 2.5}]
    }
    exported = to_toml(read_account(p).setup)
    assert '{ event_type = "view", weight = 0.3, value_threshold = 2.5 }' in exported
    assert pending(small_shop, exported) == []
    # no Update* changes it: a new weight replaces the solution
    heavier = text.replace("weight = 0.3", "weight = 0.9")
    (change,) = make_plan(parse(heavier), read_account(p), PRICES).pending
    assert (change.label, change.action) == ("solutions/weighted", "replace")
    assert "events cannot be updated" in change.because


def test_a_failed_import_stops_apply_and_a_second_apply_resumes(
    small_shop: Clients, settings: Settings
) -> None:
    text = to_toml(read_account(small_shop.personalize).setup)
    source = settings.data_dir / "s3" / "bucket" / "shop" / "interactions.csv"
    extra = (
        '\n[[dataset_groups]]\nname = "second"\n'
        '[[datasets]]\nname = "second-interactions"\ndataset_group = "second"\n'
        'type = "Interactions"\nschema = "shop-interactions"\n'
        'import_from = "s3://bucket/second/interactions.csv"\n'
        '[[filters]]\nname = "second-filter"\ndataset_group = "second"\n'
        "expression = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"view\")'\n"
    )
    with pytest.raises(ApplyError) as failed:
        apply_text(small_shop, text + extra)  # the file to import is not there yet
    assert "importing s3://bucket/second/interactions.csv" in failed.value.step
    assert pending(small_shop, text + extra) == [
        "update datasets/second-interactions",
        "create filters/second-filter",
    ]
    (settings.data_dir / "s3" / "bucket" / "second").mkdir()
    shutil.copy(source, settings.data_dir / "s3" / "bucket" / "second" / "interactions.csv")
    assert apply_text(small_shop, text + extra) == [
        "datasets/second-interactions",
        "filters/second-filter",
    ]
    assert pending(small_shop, text + extra) == []


def test_prune_refuses_without_a_confirmation_and_deletes_with_yes(
    small_shop: Clients, settings: Settings, tmp_path: Path, capsys
) -> None:
    text = to_toml(read_account(small_shop.personalize).setup)
    start = text.index("[[filters]]")
    path = tmp_path / "shop.toml"
    path.write_text(text[:start] + text[text.index("[[", start + 3) :], encoding="utf-8")
    base = ["--data-dir", str(settings.data_dir), "apply", str(path), "--prune"]
    assert cli.main(base) == 1  # standard input is no terminal: never confirmed
    assert "refused" in capsys.readouterr().err
    assert [f["name"] for f in small_shop.personalize.list_filters()["Filters"]] == ["no-views"]
    assert cli.main([*base, "--yes"]) == 0
    assert small_shop.personalize.list_filters()["Filters"] == []
    (entry, *_) = Store.from_settings(settings).recent_actions(limit=1)
    assert (entry.action, entry.result, entry.target) == ("apply setup file", "ok", str(path))
    assert entry.params["changes"] == ["delete filters/no-views"]
    assert entry.actor.endswith(" (cli)") and entry.message == "1 change made"


def test_a_new_min_rps_keeps_the_recommenders_other_settings(
    clients: Clients, settings: Settings
) -> None:
    """UpdateRecommender replaces the whole recommenderConfig (API reference
    UpdateRecommender; botocore ``RecommenderConfig``), so apply sends the current one with
    only min_rps changed: the exploration, training columns and metadata settings a setup
    file does not declare stay as they were."""
    p = clients.personalize
    ws = create_domain_shop(clients, settings.data_dir)
    kept = {
        "itemExplorationConfig": {"explorationWeight": "0.7", "explorationItemAgeCutOff": "10"},
        "trainingDataConfig": {"excludedDatasetColumns": {"Items": ["PRICE"]}},
        "enableMetadataWithRecommendations": True,
    }
    made = create_recommender(
        clients, ws["group"], "for-you", "aws-ecomm-recommended-for-you", kept
    )
    assert made["status"] == "ACTIVE", made.get("failureReason")
    text = to_toml(read_account(p).setup)
    assert text.count("min_rps = 1\n") == 1  # the recommender, at CreateRecommender's default
    wanted = text.replace("min_rps = 1\n", "min_rps = 3\n")
    assert pending(clients, wanted) == ["update recommenders/for-you"]

    assert apply_text(clients, wanted) == ["recommenders/for-you"]

    config = p.describe_recommender(recommenderArn=made["recommenderArn"])["recommender"][
        "recommenderConfig"
    ]
    assert config == {**kept, "minRecommendationRequestsPerSecond": 3}
    assert pending(clients, wanted) == []
