"""Operations › New solution: an operator creates a solution with another recipe and its own
hyperparameters and trains it; bad values are refused at their field, before the call from
DescribeAlgorithm's ranges, after it with the engine's own text; every attempt is audited."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import short_arn
from tests.dashboard.conftest import APP, TIMEOUT, Seeded, app_at
from tests.dashboard.rendered import draw, markdown_strings, shown
from tests.dashboard.test_operations import audit_rows
from tests.local.workspace import wait_for

RANKING = "arn:aws:personalize:::recipe/aws-personalized-ranking"
POPULARITY = "arn:aws:personalize:::recipe/aws-popularity-count"
V2 = "arn:aws:personalize:::recipe/aws-user-personalization-v2"


def _stop_if_training(facade: PersonalizeService, arn: str) -> None:
    """Not up to 300 s of v2 training left behind for the rest of the suite."""
    if facade.describe_solution_version(arn).status in ("CREATE PENDING", "CREATE IN_PROGRESS"):
        facade.stop_solution_version(arn)


def recipe_box(at: AppTest) -> Any:
    """The recipe selectbox (keyed by the group picked: ``widget_scope.scoped``)."""
    (box,) = [s for s in at.selectbox if str(s.key).startswith("ns_recipe@")]
    return box


def _errors(at: Any) -> list[str]:
    return [shown(e.value) for e in at.error]


def _ranking_form(at: Any, name: str) -> None:
    recipe_box(at).set_value(RANKING).run()
    at.text_input(key="ns_name").input(name).run()


def test_operator_creates_a_ranking_solution_with_hyperparameters_and_trains_it(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    labels = recipe_box(at).options
    # Every recipe the engine lists, the ones this group's datasets fit marked as such.
    assert any(label.startswith("aws-user-personalization-v2 (") for label in labels)
    assert any(
        label.startswith("aws-personalized-ranking (PERSONALIZED_RANKING") for label in labels
    )
    _ranking_form(at, "shop-ranking")
    # DescribeAlgorithm's defaults are the fields' values.
    assert at.text_input(key="ns_hp_aws-personalized-ranking_bptt").value == "32"
    assert (
        at.text_input(key="ns_ft_aws-personalized-ranking_max_user_history_length_percentile").value
        == "0.99"
    )
    at.text_input(key="ns_hp_aws-personalized-ranking_bptt").input("16").run()
    at.toggle(key="ns_auto").set_value(False).run()
    at.checkbox(key="ns_train_now").check().run()
    at.button(key="ns_button").click().run()
    at.button(key="ns_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _errors(at)

    (solution,) = [s for s in facade.list_solutions(seeded.group) if s.name == "shop-ranking"]
    described = facade.describe_solution(solution.arn)
    assert described.recipe_arn == RANKING
    assert described.perform_auto_training is False
    raw = build_clients(Settings.from_env()).personalize.describe_solution(
        solutionArn=solution.arn
    )["solution"]
    # Only the changed value is sent; the engine applies its defaults to the rest.
    assert raw["solutionConfig"]["algorithmHyperParameters"] == {"bptt": "16"}
    (version,) = facade.list_solution_versions(solution.arn)
    assert any("training started" in shown(s.value) for s in at.success)
    # the form forgets the name it used: a second click cannot ask for the same solution
    assert at.text_input(key="ns_name").value == ""
    assert at.button(key="ns_button").disabled
    rows = audit_rows(at, "create_solution")
    assert len(rows) == 1 and rows[0]["result"] == "ok" and solution.arn in rows[0]["message"]
    assert [r["target ARN"] for r in audit_rows(at, "create_solution_version")] == [solution.arn]
    doc = wait_for(
        lambda: build_clients(Settings.from_env()).personalize.describe_solution_version(
            solutionVersionArn=version.arn
        ),
        "solutionVersion",
        timeout=120,
    )
    assert doc["status"] == "ACTIVE", doc.get("failureReason")


def test_the_form_opens_on_user_personalization_v2_with_its_hyperparameters(
    seeded: Seeded,
) -> None:
    # A trial's form opened on aws-item-affinity, the alphabet's first recipe, whose "no
    # hyperparameters" was the first thing a data scientist saw.
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    assert recipe_box(at).value == "arn:aws:personalize:::recipe/aws-user-personalization-v2"
    # The v2 recipe's documented defaults (recipes/user_personalization_v2.py): 100 epochs and
    # a 300 s budget, whichever ends training first.
    assert at.text_input(key="ns_hp_aws-user-personalization-v2_epochs").value == "100"
    assert (
        at.text_input(key="ns_hp_aws-user-personalization-v2_max_training_seconds").value == "300"
    )
    assert "This recipe takes no hyperparameters." not in [shown(c.value) for c in at.caption]


def test_out_of_range_hyperparameter_is_refused_at_the_field_before_the_call(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = app_at("dashboard/pages/operations.py")
    _ranking_form(at, "shop-bad")
    # The field's label is its plain text: a screen reader reads the label's source, so no
    # markdown escapes where nothing would draw as markdown.
    field = at.text_input(key="ns_hp_aws-personalized-ranking_hidden_dimension")
    assert field.label == "hidden_dimension (integer in [32, 256])"
    params = [w for w in at.text_input if str(w.key).startswith(("ns_hp_", "ns_ft_"))]
    assert len(params) == 4
    assert all("\\" not in w.label and draw(w.label).text == w.label for w in params)
    at.text_input(key="ns_hp_aws-personalized-ranking_hidden_dimension").input("999").run()
    at.run()
    # DescribeAlgorithm's range for hidden_dimension is [32, 256].
    assert "hidden_dimension takes integer in [32, 256], not 999." in _errors(at)
    assert at.button(key="ns_button").disabled
    at.text_input(key="ns_hp_aws-personalized-ranking_hidden_dimension").input("12.5").run()
    assert any(e.startswith("hidden_dimension takes an integer") for e in _errors(at))
    at.text_input(key="ns_hp_aws-personalized-ranking_hidden_dimension").input("64").run()
    assert not _errors(at) and not at.button(key="ns_button").disabled
    assert all(s.name != "shop-bad" for s in facade.list_solutions(seeded.group))


def test_a_value_only_the_engine_can_check_is_refused_at_the_field_with_its_text(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = app_at("dashboard/pages/operations.py")
    _ranking_form(at, "shop-refused")
    field = "ns_ft_aws-personalized-ranking_max_user_history_length_percentile"
    at.text_input(key=field).input("1.5").run()  # no range is published for featurization
    at.run()
    assert not _errors(at)
    at.button(key="ns_button").click().run()
    at.button(key="ns_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]

    engine = (
        "solutionConfig.featureTransformationParameters.max_user_history_length_percentile "
        "is 1.5; max_user_history_length_percentile must be in [0.0, 1.0]."
    )
    errors = _errors(at)
    assert any(e.startswith("Could not create shop-refused") for e in errors)
    assert engine in errors, errors  # at the field: the engine's text alone
    assert all(s.name != "shop-refused" for s in facade.list_solutions(seeded.group))
    (row,) = audit_rows(at, "create_solution")
    assert row["result"] == "error"
    # It stays at the field on the next run, and goes once the value changes.
    at.run()
    assert engine in _errors(at)
    at.text_input(key=field).input("0.9").run()
    assert engine not in _errors(at)


@pytest.mark.parametrize(
    ("language", "made", "training", "watch"),
    [
        ("en", "Solution shop-pop-2 created: ", "is training (FULL)", "Solutions & metrics"),
        ("ko", "솔루션 shop-pop-2 생성 완료: ", "학습 중입니다(FULL)", "솔루션 및 지표"),
    ],
)
def test_after_confirm_the_tab_says_what_was_created_and_where_to_watch_it(
    seeded: Seeded,
    facade: PersonalizeService,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    language: str,
    made: str,
    training: str,
    watch: str,
) -> None:
    # A trial's operator pressed the confirm with "Train a first version now" and saw no
    # message: the page's flash sits at the top, far above the tab, and fades after
    # FLASH_SECONDS. Here the flash has faded at once; the tab must still say it.
    monkeypatch.setattr("dashboard.components.operations.actions.FLASH_SECONDS", 0)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.run()
    # AppTest formats widget values in this thread: in the page's language (open_in_korean)
    use_language(language)
    request.addfinalizer(lambda: use_language("en"))
    at.switch_page("dashboard/pages/operations.py").run()
    # v2 trains for up to its 300 s budget: still training (and under Running work) when the
    # tab speaks; a popularity version may be ACTIVE by then, and the tab says that instead
    recipe_box(at).set_value(V2).run()
    at.text_input(key="ns_name").input("shop-pop-2").run()
    at.checkbox(key="ns_train_now").check().run()
    at.button(key="ns_button").click().run()
    at.button(key="ns_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (solution,) = [s for s in facade.list_solutions(seeded.group) if s.name == "shop-pop-2"]
    (version,) = facade.list_solution_versions(solution.arn)
    request.addfinalizer(lambda: _stop_if_training(facade, version.arn))
    tab = at.tabs[4]  # New solution
    (said,) = [draw(s.value).text for s in tab.success]
    # the name, the solution's ARN, the version being trained (as every page names it)
    assert f"{made}{solution.arn}" in said
    assert f"shop-pop-2/{short_arn(version.arn)}" in said and training in said
    assert [link.proto.label for link in tab.get("page_link")] == [watch]
    tab.button(key="ns_created_dismiss").click().run()
    assert not at.tabs[4].success


def test_recipe_descriptions_are_korean_in_korean_mode(seeded: Seeded) -> None:
    # Trial s11: "Next items from the order of the user's recent history." stayed English in
    # Korean mode. Expected text: the Korean msgstr written for each recipe's description
    # (messages.po), read back here through the catalogue, not from the page.
    from tests.dashboard.test_korean_pages import korean_page

    at = korean_page("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    captions = [shown(c.value) for c in at.caption]
    assert "사용자의 최근 이력 순서로 다음에 볼 상품을 고릅니다." in captions
    assert "Next items from the order of the user's recent history." not in captions
    # AppTest formats the widgets' values with the page's format_func in this thread, whose
    # language the page's run did not set (see test_korean_pages.open_in_korean).
    use_language("ko")
    try:
        recipe_box(at).set_value(RANKING).run()
    finally:
        use_language("en")
    captions = [shown(c.value) for c in at.caption]
    assert "사용자에 맞게 상품 목록의 순위를 매깁니다." in captions
    assert "Ranks a list of items for a user." not in captions


def _dialog_text(at: Any) -> str:
    from tests.dashboard.test_korean_pages import _nodes

    (dialog,) = [
        n
        for n in _nodes(at._tree)
        if getattr(n, "type", None) == "dialog" and n.proto.dialog.is_open
    ]
    return "\n".join(shown(s) for s in markdown_strings(dialog))


@pytest.mark.parametrize(
    ("language", "now", "changed", "auto"),
    [
        (
            "en",
            "Trains a first version now (CreateSolutionVersion, FULL): billed from now.",
            "Hyperparameters changed from their defaults: `bptt` `16` (default `32`).",
            "Automatic training is on: a new version (billed) every 7 days.",
        ),
        (
            "ko",
            "지금 첫 버전을 학습합니다(CreateSolutionVersion, FULL). 지금부터 과금됩니다.",
            "기본값에서 바꾼 하이퍼파라미터: `bptt` `16` (기본값 `32`).",
            "자동 학습이 켜져 있습니다: 7일마다 새 버전을 학습합니다(과금).",
        ),
    ],
)
def test_the_confirm_dialog_lists_training_now_changed_hyperparameters_and_auto_training(
    seeded: Seeded,
    request: pytest.FixtureRequest,
    language: str,
    now: str,
    changed: str,
    auto: str,
) -> None:
    # Trial s11: the dialog said nothing of the version trained at once, of the changed
    # hyperparameters, nor (but in passing) of the weekly billed training that is on by
    # default. Expected: bptt's default 32 is DescribeAlgorithm's for aws-personalized-ranking
    # (the first test reads it from the field); 7 days is DEFAULT_SCHEDULE_DAYS.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.run()
    use_language(language)  # AppTest formats widget values in this thread (open_in_korean)
    request.addfinalizer(lambda: use_language("en"))
    at.switch_page("dashboard/pages/operations.py").run()
    _ranking_form(at, "shop-ranking-2")
    at.text_input(key="ns_hp_aws-personalized-ranking_bptt").input("16").run()
    at.checkbox(key="ns_train_now").check().run()
    at.button(key="ns_button").click().run()
    said = _dialog_text(at)
    assert f"- {now}" in said and f"- {changed}" in said and f"- {auto}" in said
    # untouched, the form sends no parameter and trains nothing now: the dialog says so
    at.button(key="ns_cancel").click().run()
    at.text_input(key="ns_hp_aws-personalized-ranking_bptt").input("32").run()
    at.checkbox(key="ns_train_now").uncheck().run()
    at.toggle(key="ns_auto").set_value(False).run()
    at.button(key="ns_button").click().run()
    said = _dialog_text(at)
    assert now not in said and changed not in said and auto not in said
    assert "`bptt`" not in said


def _create_and_train(facade: PersonalizeService, recipe: str, name: str) -> tuple[Any, str]:
    """The page after confirming solution ``name`` with a first version; that version's ARN."""
    at = app_at("dashboard/pages/operations.py")
    recipe_box(at).set_value(recipe).run()
    at.text_input(key="ns_name").input(name).run()
    at.toggle(key="ns_auto").set_value(False).run()
    at.checkbox(key="ns_train_now").check().run()
    at.button(key="ns_button").click().run()
    at.button(key="ns_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (solution,) = [
        s for s in facade.list_solutions(facade.list_dataset_groups()[0].arn) if s.name == name
    ]
    (version,) = facade.list_solution_versions(solution.arn)
    return at, version.arn


def _running_names(at: Any) -> list[str]:
    frames = [d.value for d in at.dataframe if "what" in d.value.columns]
    return [name for frame in frames for name in frame["name"]]


def test_a_version_the_page_starts_is_under_running_work_on_the_next_run(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    # Trial s11: the tab said the first version "is listed under Running work", which said
    # "Nothing running". A v2 version trains for up to its 300 s budget, so it is still in
    # flight on the next run; the row's name is every page's "solution/short ARN (mode)".
    at, version = _create_and_train(facade, V2, "shop-v2-now")
    try:
        at.run()
        assert f"shop-v2-now/{short_arn(version)} (FULL)" in _running_names(at)
        (said,) = [draw(s.value).text for s in at.tabs[4].success]
        assert "listed under Running work" in said
    finally:
        _stop_if_training(facade, version)


def test_once_trained_the_tab_no_longer_says_the_version_is_under_running_work(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    import streamlit as st

    at, version = _create_and_train(facade, POPULARITY, "shop-pop-done")
    doc = wait_for(
        lambda: build_clients(Settings.from_env()).personalize.describe_solution_version(
            solutionVersionArn=version
        ),
        "solutionVersion",
    )
    assert doc["status"] == "ACTIVE", doc.get("failureReason")
    st.cache_data.clear()  # what the live list's TTL does before the panel's next poll
    at.run()
    assert f"shop-pop-done/{short_arn(version)} (FULL)" not in _running_names(at)
    (said,) = [draw(s.value).text for s in at.tabs[4].success]
    assert "listed under Running work" not in said
    assert "is no longer training (it has left Running work)" in said
