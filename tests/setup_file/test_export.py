"""Export: the local engine's resources as a setup file that parses back to the same setup."""

from __future__ import annotations

import json
from pathlib import Path

from services.personalize.clients import Clients
from services.setup_file import cli
from services.setup_file.export import to_toml
from services.setup_file.reading import parse
from services.setup_file.state import read_account
from tests.setup_file.conftest import EXPRESSION


def test_export_names_every_resource_by_name_and_round_trips(small_shop: Clients) -> None:
    account = read_account(small_shop.personalize)
    text = to_toml(account.setup)
    assert "arn:aws:personalize" not in text  # references by name only
    back = parse(text)
    # the same setup; schemas laid out for review, the same JSON
    assert back.model_copy(update={"schemas": []}) == account.setup.model_copy(
        update={"schemas": []}
    )
    assert [json.loads(s.definition or "") for s in back.schemas] == [
        json.loads(s.definition or "") for s in account.setup.schemas
    ]
    assert [g.name for g in back.dataset_groups] == ["shop"]
    (dataset,) = back.datasets
    assert (dataset.type, dataset.schema_, dataset.dataset_group) == (
        "Interactions",
        "shop-interactions",
        "shop",
    )
    assert dataset.import_from == "s3://bucket/shop/interactions.csv"
    assert [(f.name, f.expression) for f in back.filters] == [("no-views", EXPRESSION)]
    pop, sims = back.solutions
    assert (pop.recipe, pop.auto_training, pop.hyperparameters) == (
        "aws-popularity-count",
        False,
        {},
    )
    assert (sims.recipe, sims.auto_training) == ("aws-similar-items", True)
    assert sims.hyperparameters == {"item_id_hidden_dim": "100"}
    (campaign,) = back.campaigns
    assert (campaign.solution, campaign.min_tps) == ("pop", 2)
    assert [t.name for t in back.event_trackers] == ["shop-tracker"]


def test_export_cli_writes_the_file(small_shop: Clients, settings, tmp_path: Path) -> None:
    out = tmp_path / "setup.toml"
    assert cli.main(["--data-dir", str(settings.data_dir), "export", "--out", str(out)]) == 0
    assert parse(out.read_text(encoding="utf-8")).campaigns[0].name == "pop-campaign"
