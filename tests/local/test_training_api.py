"""AutoML, HPO and trainingMode UPDATE through CreateSolution / CreateSolutionVersion."""

from __future__ import annotations

from services.config import Settings
from services.local.models.metrics import METRIC_KEYS
from services.personalize.clients import Clients
from tests.local.workspace import create_group, stream_event, train, trained, wait_for

UP = "arn:aws:personalize:::recipe/aws-user-personalization"
POP = "arn:aws:personalize:::recipe/aws-popularity-count"


def test_automl_picks_the_better_recipe(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    solution = p.create_solution(
        name="auto",
        datasetGroupArn=ws["group"],
        performAutoML=True,
        solutionConfig={"autoMLConfig": {"metricName": "precision_at_25", "recipeList": [POP, UP]}},
    )["solutionArn"]
    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=120,
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    # Users stick to one of three item clusters (workspace.py): personalisation must win.
    assert p.describe_solution(solutionArn=solution)["solution"]["autoMLResult"] == {
        "bestRecipeArn": UP
    }
    assert done["recipeArn"] == UP


def test_hpo_reports_tuned_parameters(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    _, version = train(clients, ws["group"], "hpo", "aws-user-personalization", performHPO=True)
    doc = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    assert doc["performHPO"] is True
    assert doc["tunedHPOParams"]["algorithmHyperParameters"]


def test_update_mode_after_full(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    solution, full = train(clients, ws["group"], "up", "aws-user-personalization")
    stream_event(clients, ws["group"])  # an UPDATE needs data newer than the version
    update = p.create_solution_version(solutionArn=solution, trainingMode="UPDATE")[
        "solutionVersionArn"
    ]
    assert trained(clients, update)["trainingMode"] == "UPDATE"
    listed = p.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert [v["solutionVersionArn"] for v in listed] == [update, full]  # newest first


def test_metrics_keep_personalizes_keys_and_the_counts_stay_off_the_wire(
    clients: Clients, settings: Settings
) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    got = p.get_solution_metrics(solutionVersionArn=version)
    assert set(got["metrics"]) == set(METRIC_KEYS)
    described = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    # the scored-user counts and the data's time range are the engine's, not response members
    assert not {"testUsers", "usersWithTruth", "dataFrom", "_evaluation"} & set(described)
