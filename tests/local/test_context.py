"""GetRecommendations / GetPersonalizedRanking ``context`` honoured (developer guide,
"Increasing recommendation relevance with contextual metadata"): with a DEVICE column in the
Item interactions dataset, asking in context "mobile" favours the items people used on mobile;
a key that is no Interactions column, or a recipe that is not personalised, is
InvalidInputException with nothing stored, in process and over HTTP."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.local.refusals import TRANSPORTS, World, refused, serve_world
from tests.local.workspace import START, create_group, interactions_schema, train

SCHEMA = interactions_schema({"name": "DEVICE", "type": "string", "categorical": True})


def _mobile(item: int) -> bool:
    return item % 2 == 0  # even items are used on mobile, odd ones on desktop


def _write(path: Path) -> None:
    """40 users, 25 views each; even items are viewed on mobile, odd ones on desktop."""
    rng = np.random.default_rng(5)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "DEVICE"])
        for u in range(40):
            for k in range(25):
                item = int(rng.integers(40))
                device = "mobile" if _mobile(item) else "desktop"
                out.writerow([f"u{u}", f"i{item}", START + u * 1000 + k, "view", device])


@pytest.fixture(scope="module")
def devices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    data = tmp_path_factory.mktemp("context") / "data"
    with serve_world(data) as world:
        ws = create_group(world.clients, data, "devices", schema_text=SCHEMA, write=_write)
        _, version = train(world.clients, ws["group"], "devices-up", "aws-user-personalization")
        p = world.clients.personalize
        campaign = p.create_campaign(name="devices", solutionVersionArn=version)["campaignArn"]
        yield world, campaign


def _mobile_share(w: World, campaign: str, device: str | None) -> float:
    shares = []
    for u in range(10):
        extra = {"context": {"DEVICE": device}} if device else {}
        items = w.clients.runtime.get_recommendations(
            campaignArn=campaign, userId=f"u{u}", numResults=10, **extra
        )["itemList"]
        shares.append(np.mean([_mobile(int(i["itemId"][1:])) for i in items]))
    return float(np.mean(shares))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_context_favours_items_used_in_that_context(
    devices: tuple[World, str], transport: str
) -> None:
    world, campaign = devices
    w = world.over(transport)
    mobile, plain, desktop = (_mobile_share(w, campaign, d) for d in ("mobile", None, "desktop"))
    assert desktop < plain < mobile, (desktop, plain, mobile)
    assert mobile - desktop > 0.3


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_context_refusals(devices: tuple[World, str], transport: str) -> None:
    world, campaign = devices
    w = world.over(transport)
    rt = w.clients.runtime
    refused(
        w,
        "InvalidInputException",
        lambda: rt.get_recommendations(campaignArn=campaign, userId="u1", context={"COLOR": "red"}),
        "COLOR",
    )
    refused(
        w,
        "InvalidInputException",
        lambda: rt.get_recommendations(
            campaignArn=campaign, userId="u1", context={"TIMESTAMP": "1"}
        ),
        "TIMESTAMP",
    )
    # the world's own campaign serves aws-popularity-count: one list for everybody
    refused(
        w,
        "InvalidInputException",
        lambda: rt.get_recommendations(
            campaignArn=world.campaign, userId="u1", context={"DEVICE": "mobile"}
        ),
        "aws-popularity-count",
    )
