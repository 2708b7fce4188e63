"""examples/demo-shop.toml defines the demo shop (services/demo applies it): it parses, passes
the engine's checks, names every resource the code refers to by name (``NAMES``), and its
schemas describe the columns the demo's data generator writes (so the bulk files import)."""

from __future__ import annotations

import json
from dataclasses import asdict

from services.config import Settings
from services.demo import eshop
from services.demo.data import SCHEMAS
from services.demo.from_file import LATER_CAMPAIGNS, available, before_replay
from services.demo.plan import GROUP, NAMES, demo_arns, demo_setup
from services.personalize.clients import Clients
from services.setup_file.ranges import account_problems


def test_the_example_is_the_demo_shop(clients: Clients) -> None:
    setup = demo_setup()
    assert account_problems(clients.personalize, setup) == []
    assert [g.name for g in setup.dataset_groups] == [GROUP, eshop.GROUP]
    names = {
        s.name
        for kind in ("dataset_groups", "event_trackers", "filters", "solutions", "campaigns")
        for s in getattr(setup, kind)
    }
    names |= {r.name for r in setup.recommenders} | {m.name for m in setup.metric_attributions}
    assert set(asdict(NAMES).values()) <= names
    assert {s.name: s.recipe for s in setup.solutions}[NAMES.item_affinity] == "aws-item-affinity"
    v2 = next(s for s in setup.solutions if s.name == NAMES.user_personalization_v2)
    assert v2.hyperparameters == {"max_training_seconds": "30"}  # a short seed
    schemas = {s.name: json.loads(s.definition or "") for s in setup.schemas}
    for kind, body in SCHEMAS.items():
        assert schemas[f"{GROUP}-{kind.lower()}"] == json.loads(body)
    for kind, body in eshop.ESHOP_SCHEMAS.items():
        assert schemas[f"{eshop.GROUP}-{kind.lower()}"] == json.loads(body)


def test_the_phases_split_the_file(settings: Settings) -> None:
    setup = demo_setup()
    first = before_replay(setup)
    assert first.recommenders == [] and first.solutions == setup.solutions
    assert [c.name for c in first.campaigns] == [
        NAMES.recommendations_campaign,
        NAMES.popularity_campaign,
    ]
    assert {c.name for c in setup.campaigns} - {c.name for c in first.campaigns} == set(
        LATER_CAMPAIGNS
    )
    # an engine without an optional recipe: its solution and campaign are left out
    without = available(setup, {s.recipe for s in setup.solutions} - {"aws-similar-items"})
    assert NAMES.similar_items not in {s.name for s in without.solutions}
    assert NAMES.similar_items_campaign not in {c.name for c in without.campaigns}
    assert len(without.solutions) == len(setup.solutions) - 1
    arns = demo_arns(settings)
    assert arns[f"solution/{NAMES.item_affinity}"].endswith(":solution/demo-item-affinity")
    assert arns[f"recommender/{NAMES.best_sellers}"].startswith("arn:aws:personalize:")
