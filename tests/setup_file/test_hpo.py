"""HPO in the setup file (``perform_hpo`` with ``hpo``): checked with its path (the file alone,
then DescribeAlgorithm's tunable ranges), created as ``solutionConfig.hpoConfig``, honoured by
the engine's training, read back by export, and a change planned as a replacement."""

from __future__ import annotations

import pytest

from services.personalize.clients import Clients
from services.setup_file.export import to_toml
from services.setup_file.model import SetupFileError
from services.setup_file.plan import make_plan
from services.setup_file.ranges import account_problems
from services.setup_file.reading import parse
from services.setup_file.state import read_account
from tests.local.workspace import wait_for
from tests.setup_file.test_apply import PRICES, apply_text, pending
from tests.setup_file.test_bad_files import GOOD

RECIPE = "aws-user-personalization"
UP = f'recipe = "{RECIPE}"'


def tuned(hpo: str, perform: bool = True) -> str:
    """GOOD with its solution's HPO set to the TOML table ``hpo``."""
    flag = "true" if perform else "false"
    return GOOD.replace(UP, f"{UP}\nperform_hpo = {flag}\nhpo = {hpo}")


def problems(text: str) -> list[str]:
    with pytest.raises(SetupFileError) as caught:
        parse(text)
    return caught.value.problems


def test_what_the_file_alone_shows_wrong_is_said_with_its_path() -> None:
    text = tuned(
        '{ objective = { type = "Maximize", metricName = "ndcg" }, max_training_jobs = 4, '
        'max_parallel_jobs = 6, integer_ranges = [{ name = "bptt", min = 20, max = 10 }, '
        '{ name = "bptt", min = 2, max = 4 }] }',
        perform=False,
    )
    assert problems(text) == [
        "solutions[0].hpo: used only with perform_hpo = true",
        "solutions[0].hpo.objective: Personalize does not support configuring the HPO objective "
        "(HPOObjective); leave it out",
        "solutions[0].hpo.max_parallel_jobs: 6 is more than max_training_jobs (4)",
        "solutions[0].hpo.integer_ranges[0]: min 20 is above max 10",
        "solutions[0].hpo.integer_ranges[1].name: 'bptt' is ranged twice",
    ]
    # HPOResourceConfig's limits (1-40 jobs, 1-10 at once) are the shape's
    assert problems(tuned("{ max_training_jobs = 41, max_parallel_jobs = 0 }")) == [
        "solutions[0].hpo.max_training_jobs: must be less than or equal to 40",
        "solutions[0].hpo.max_parallel_jobs: must be greater than or equal to 1",
    ]


def test_ranges_are_checked_against_describe_algorithm(clients: Clients) -> None:
    # aws-user-personalization's tunable ranges as its DescribeAlgorithm gives them:
    # hidden_dimension integer 32-256, bptt integer 2-32, recency_mask categorical true/false
    p = clients.personalize
    algorithm = p.describe_algorithm(
        algorithmArn=p.describe_recipe(recipeArn=f"arn:aws:personalize:::recipe/{RECIPE}")[
            "recipe"
        ]["algorithmArn"]
    )["algorithm"]["defaultHyperParameterRanges"]
    ranges = {r["name"]: r for kind in algorithm.values() for r in kind}
    assert (ranges["bptt"]["minValue"], ranges["bptt"]["maxValue"]) == (2, 32)
    assert ranges["bptt"]["isTunable"]
    assert "max_user_history_length_percentile" not in ranges  # featurization, not the algorithm
    text = tuned(
        '{ integer_ranges = [{ name = "bptt", min = 1, max = 64 }, '
        '{ name = "recency_mask", min = 0, max = 1 }], '
        'continuous_ranges = [{ name = "max_user_history_length_percentile", min = 0.5, '
        'max = 0.9 }], categorical_ranges = [{ name = "recency_mask", values = [true, "maybe"] }] }'
    )
    tunable = "bptt, hidden_dimension, recency_mask"
    assert account_problems(p, parse(text.replace('"recency_mask", min', '"recency", min'))) == [
        "solutions[0].hpo.integer_ranges[0].min: must be an integer 2–32, not 1",
        "solutions[0].hpo.integer_ranges[0].max: must be an integer 2–32, not 64",
        "solutions[0].hpo.integer_ranges[1].name: 'recency' is not a tunable hyperparameter of "
        f"aws-user-personalization (tunable: {tunable})",
        "solutions[0].hpo.continuous_ranges[0].name: 'max_user_history_length_percentile' is "
        f"not a tunable hyperparameter of aws-user-personalization (tunable: {tunable})",
        "solutions[0].hpo.categorical_ranges[0].values[1]: must be one of true, false, not 'maybe'",
    ]
    # a recipe with nothing to tune: performHPO would train with its defaults
    popular = GOOD.replace(UP, 'recipe = "aws-popularity-count"\nperform_hpo = true')
    assert account_problems(p, parse(popular)) == [
        "solutions[0].perform_hpo: aws-popularity-count has no tunable hyperparameter "
        "(DescribeAlgorithm)"
    ]
    # a tunable hyperparameter in the list of another kind
    wrong_kind = tuned('{ continuous_ranges = [{ name = "bptt", min = 2.0, max = 8.0 }] }')
    assert account_problems(p, parse(wrong_kind)) == [
        "solutions[0].hpo.continuous_ranges[0].name: bptt's range is integer: put it in "
        "integer_ranges"
    ]


HPO_SOLUTION = """
[[solutions]]
name = "tuned"
dataset_group = "shop"
recipe = "aws-user-personalization"
auto_training = false
perform_hpo = true
hpo = { max_training_jobs = 3, integer_ranges = [{ name = "bptt", min = 4, max = 8 }] }
"""


def test_hpo_is_created_honoured_by_training_read_back_and_replaced(small_shop: Clients) -> None:
    p = small_shop.personalize
    text = to_toml(read_account(p).setup) + HPO_SOLUTION
    assert account_problems(p, parse(text)) == []
    assert apply_text(small_shop, text) == ["solutions/tuned"]
    assert pending(small_shop, text) == []
    arn = next(s["solutionArn"] for s in p.list_solutions()["solutions"] if s["name"] == "tuned")
    solution = p.describe_solution(solutionArn=arn)["solution"]
    assert solution["performHPO"] is True
    assert solution["solutionConfig"]["hpoConfig"] == {
        "hpoResourceConfig": {"maxNumberOfTrainingJobs": "3"},
        "algorithmHyperParameterRanges": {
            "integerHyperParameterRanges": [{"name": "bptt", "minValue": 4, "maxValue": 8}]
        },
    }
    exported = to_toml(read_account(p).setup)
    assert (
        'hpo = { max_training_jobs = 3, integer_ranges = [{ name = "bptt", min = 4, max = 8 }] }'
        in exported
    )
    assert pending(small_shop, exported) == []
    # The engine tunes inside the given range (its low, middle and high values), not its own
    # default grid nor the local default bptt of 50.
    version = p.create_solution_version(solutionArn=arn)["solutionVersionArn"]
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version), "solutionVersion"
    )
    assert done["tunedHPOParams"]["algorithmHyperParameters"]["bptt"] in {"4", "6", "8"}
    # no Update* changes hpoConfig: a new range replaces the solution and says why
    wider = text.replace("min = 4, max = 8", "min = 4, max = 16")
    plan = make_plan(parse(wider), read_account(p), PRICES)
    (change,) = plan.pending
    assert (change.label, change.action) == ("solutions/tuned", "replace")
    assert "hpo cannot be updated" in change.because
