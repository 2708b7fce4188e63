"""Which solutions a refresh trains when none is named: the one rule the CLI, the scheduler
and the Operations page's default share (services.pipeline.steps.planning.default_solutions)."""

from __future__ import annotations

from services.personalize.models import Solution
from services.pipeline.steps.planning import chosen_solutions, default_solutions

A = "arn:aws:personalize:us-east-1:123456789012:solution"
UP, POP, SIMS = (Solution(f"{A}/{n}", n, "ACTIVE") for n in ("shop-up", "shop-pop", "shop-sims"))


def test_only_solutions_that_back_a_campaign_in_the_groups_order() -> None:
    served = [SIMS.arn, UP.arn, f"{A}/other-group"]  # a campaign of another group changes nothing
    assert default_solutions([UP, POP, SIMS], served) == [UP, SIMS]


def test_no_campaign_means_nothing_by_default() -> None:
    assert default_solutions([UP, POP], []) == []


def test_named_solutions_are_found_by_name_or_arn() -> None:
    assert chosen_solutions([UP, POP, SIMS], ["shop-sims", UP.arn], "shop") == [UP, SIMS]
