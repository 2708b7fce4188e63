"""examples/demo-shop.toml is the demo shop's setup: it parses, passes the engine's checks, and
names exactly the resources services.demo creates, with the same schemas (so the example
cannot drift from the demo unnoticed)."""

from __future__ import annotations

import json
from pathlib import Path

from services.demo import eshop
from services.demo.data import SCHEMAS
from services.demo.plan import CAMPAIGNS, FILTERS, GROUP, NAMES, SOLUTION_CONFIGS, SOLUTIONS
from services.personalize.clients import Clients
from services.setup_file.ranges import account_problems
from services.setup_file.reading import load

FILE = Path(__file__).resolve().parents[2] / "examples" / "demo-shop.toml"


def test_the_example_is_the_demo_shop(clients: Clients) -> None:
    setup = load(FILE)
    assert account_problems(clients.personalize, setup) == []
    assert [g.name for g in setup.dataset_groups] == [GROUP, eshop.GROUP]
    assert {s.name: s.recipe for s in setup.solutions} == SOLUTIONS
    assert {c.name: c.solution for c in setup.campaigns} == CAMPAIGNS
    assert {f.name: f.expression for f in setup.filters} == FILTERS
    v2 = next(s for s in setup.solutions if s.name == NAMES.user_personalization_v2)
    wanted = SOLUTION_CONFIGS[NAMES.user_personalization_v2]["algorithmHyperParameters"]
    assert v2.hyperparameters == wanted
    assert [r.name for r in setup.recommenders] == [eshop.RECOMMENDER]
    assert [m.name for m in setup.metric_attributions] == [NAMES.attribution]
    assert [t.name for t in setup.event_trackers] == [NAMES.tracker]
    schemas = {s.name: json.loads(s.definition or "") for s in setup.schemas}
    for kind, body in SCHEMAS.items():
        assert schemas[f"{GROUP}-{kind.lower()}"] == json.loads(body)
    for kind, body in eshop.ESHOP_SCHEMAS.items():
        assert schemas[f"{eshop.GROUP}-{kind.lower()}"] == json.loads(body)
