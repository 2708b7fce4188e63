"""New solution's domain: recipes read from the engine through boto3, range checks, the
CreateSolution request, and the service's refusals mapped to fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import HyperParameter, Recipe
from services.workspace.new_solution import (
    NewSolution,
    RecipeOption,
    build_request,
    default_option,
    problems,
    recipe_options,
    refused_fields,
    value_problem,
)

HIDDEN = HyperParameter("hidden_dimension", "integer", "149", 32.0, 256.0, tunable=True)
RATE = HyperParameter("popularity_discount_factor", "continuous", "0.5", 0.0, 1.0)
MASK = HyperParameter("recency_mask", "categorical", "true", values=("true", "false"))
PCT = HyperParameter("max_user_history_length_percentile", "", "0.99")
OPTION = RecipeOption(
    recipe=Recipe("arn:aws:personalize:::recipe/aws-x", "aws-x", "ACTIVE"),
    required=("INTERACTIONS",),
    optional=(),
    missing=(),
    hyperparameters=(HIDDEN, RATE, MASK),
    features=(PCT,),
)


@pytest.fixture
def service(tmp_path: Path) -> PersonalizeService:
    settings = Settings(data_dir=tmp_path, lifecycle_seconds=0.0, worker_mode="thread")
    return PersonalizeService(build_clients(settings))


def test_recipes_come_with_their_algorithm_and_feature_parameters(
    service: PersonalizeService,
) -> None:
    options = {o.recipe.name: o for o in recipe_options(service, ["interactions"])}
    ranking = options["aws-personalized-ranking"]
    assert ranking.recipe.recipe_type == "PERSONALIZED_RANKING" and ranking.fits
    hidden = next(p for p in ranking.hyperparameters if p.name == "hidden_dimension")
    # The developer guide's User-Personalization / Personalized-Ranking table: 149 in [32, 256]
    assert (hidden.kind, hidden.default, hidden.low, hidden.high, hidden.tunable) == (
        "integer",
        "149",
        32.0,
        256.0,
        True,
    )
    assert {p.name: p.default for p in ranking.features} == {
        "min_user_history_length_percentile": "0.0",
        "max_user_history_length_percentile": "0.99",
    }
    assert "aws-user-personalization-v2" in options
    v2 = {p.name: p for p in options["aws-user-personalization-v2"].hyperparameters}
    assert (
        v2["max_training_seconds"].default == "300"
        and not options["aws-user-personalization-v2"].tunable
    )
    # No domain use case: those are recommenders' recipes, not solutions'.
    assert not any(name.startswith("aws-ecomm") for name in options)


def test_value_checks_follow_describe_algorithm_ranges() -> None:
    assert value_problem(HIDDEN, "32") is None and value_problem(HIDDEN, "256") is None
    assert value_problem(HIDDEN, "257") == "hidden_dimension takes integer in [32, 256], not 257."
    assert value_problem(HIDDEN, "31") is not None
    assert value_problem(HIDDEN, "64.5") == (
        "hidden_dimension takes an integer (integer in [32, 256]), not '64.5'."
    )
    assert value_problem(HIDDEN, "abc") is not None and value_problem(HIDDEN, " ") is not None
    assert value_problem(RATE, "0.25") is None and value_problem(RATE, "nan") is not None
    assert value_problem(RATE, "1.01") == (
        "popularity_discount_factor takes continuous in [0, 1], not 1.01."
    )
    assert value_problem(MASK, "FALSE") is None
    assert value_problem(MASK, "maybe") == "recency_mask takes one of true, false, not 'maybe'."
    assert value_problem(PCT, "7") is None  # no published range: the service decides


def test_the_request_carries_only_changed_values_and_the_schedule() -> None:
    form = NewSolution(
        name="shop-rank_2",
        group_arn="arn:aws:personalize:us-east-1:000000000000:dataset-group/shop",
        option=OPTION,
        hyperparameters={"hidden_dimension": " 64 ", "popularity_discount_factor": "0.5"},
        features={"max_user_history_length_percentile": "0.9"},
        perform_hpo=True,
        event_type=" purchase ",
        auto_training=True,
        schedule_days=3,
    )
    assert build_request(form) == {
        "name": "shop-rank_2",
        "datasetGroupArn": "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop",
        "recipeArn": "arn:aws:personalize:::recipe/aws-x",
        "performHPO": True,
        "performAutoTraining": True,
        "eventType": "purchase",
        "solutionConfig": {
            "algorithmHyperParameters": {"hidden_dimension": "64"},
            "featureTransformationParameters": {"max_user_history_length_percentile": "0.9"},
            "autoTrainingConfig": {"schedulingExpression": "rate(3 days)"},
        },
    }
    manual = NewSolution("s", "g", OPTION, auto_training=False, schedule_days=99)
    assert build_request(manual)["performAutoTraining"] is False
    assert "solutionConfig" not in build_request(manual)


def test_problems_name_their_fields() -> None:
    missing = RecipeOption(OPTION.recipe, ("ITEMS",), (), ("ITEMS",), (HIDDEN,))
    form = NewSolution("-bad", "g", missing, {"hidden_dimension": "999"}, schedule_days=31)
    found = problems(form)
    assert set(found) == {"name", "recipe", "hp:hidden_dimension", "schedule"}
    assert found["recipe"] == (
        "aws-x needs the ITEMS dataset, which this dataset group does not have."
    )
    assert problems(NewSolution("x" * 63, "g", OPTION)) == {}
    assert "name" in problems(NewSolution("x" * 64, "g", OPTION))
    with pytest.raises(ValueError, match="A name is"):
        build_request(form)


def test_a_hangul_name_is_refused_as_not_latin_letters() -> None:
    r"""CreateSolution's name pattern is ^[a-zA-Z0-9][a-zA-Z0-9\-_]* (botocore's Name shape):
    Hangul are letters to a reader, so the message says which letters it means."""
    from services.i18n import use_language

    found = problems(NewSolution("신상품추천", "g", OPTION))
    assert found["name"].startswith("A name is 1 to 63 Latin letters (a–z, A–Z), digits")
    use_language("ko")
    try:
        assert "한글은 쓸 수 없습니다" in problems(NewSolution("신상품추천", "g", OPTION))["name"]
    finally:
        use_language("en")


def test_a_refusal_is_shown_at_the_fields_it_names() -> None:
    said = (
        "solutionConfig.featureTransformationParameters.max_user_history_length_percentile is "
        "1.5; max_user_history_length_percentile must be in [0.0, 1.0]."
    )
    message = f"Personalize rejected CreateSolution: check the values. Personalize said: {said}"
    assert refused_fields(message, OPTION) == {"ft:max_user_history_length_percentile": said}
    # A name inside another word names nothing (hidden_dimension vs item_id_hidden_dimension).
    assert refused_fields("item_id_hidden_dimension is wrong", OPTION) == {}
    schedule = refused_fields("Personalize said: schedulingExpression rate(40 days)", OPTION)
    assert list(schedule) == ["schedule"]


def _offered(name: str, missing: tuple[str, ...] = ()) -> RecipeOption:
    arn = f"arn:aws:personalize:::recipe/{name}"
    return RecipeOption(Recipe(arn, name, "ACTIVE"), ("INTERACTIONS",), (), missing)


def test_the_form_opens_on_user_personalization_v2_else_v1() -> None:
    affinity, v1 = _offered("aws-item-affinity"), _offered("aws-user-personalization")
    v2 = _offered("aws-user-personalization-v2")
    assert default_option([affinity, v1, v2]) == 2
    # an account (or a region) without v2: v1
    assert default_option([affinity, v1]) == 1
    # v2 the group's datasets do not fit is not the default (it is listed after those that fit)
    assert default_option([affinity, v1, _offered(v2.recipe.name, ("ITEMS",))]) == 1
    # neither offered: the first option, as recipe_options sorts them (fitting first)
    assert default_option([affinity, _offered("aws-sims")]) == 0
    assert default_option([]) == 0
