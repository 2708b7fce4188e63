"""Recommenders over HTTP (``make serve``): same calls, same errors as in-process."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.config import Settings
from services.personalize.clients import build_clients
from tests.local.domain_shop import create_domain_shop, create_recommender, write_shop
from tests.local.server import EngineServer


def test_recommender_over_http(tmp_path: Path) -> None:
    server = EngineServer(tmp_path / "data", PERSONALIZE_LOCAL_WORKER="process").start()
    try:
        clients = build_clients(Settings(endpoint_url=server.url, data_dir=server.data_dir))
        ws = create_domain_shop(clients, server.data_dir)
        doc = create_recommender(
            clients, ws["group"], "best", "aws-ecomm-popular-items-by-purchases"
        )
        assert doc["status"] == "ACTIVE", doc.get("failureReason")
        rows = write_shop(tmp_path / "hand")
        # Best sellers ranks by how many distinct customers bought an item
        counts = Counter(i for _, i in {(u, i) for u, i, _, e in rows if e == "Purchase"})
        got = clients.runtime.get_recommendations(
            recommenderArn=doc["recommenderArn"], userId="u9", numResults=3
        )["itemList"]
        assert [counts[i["itemId"]] for i in got] == sorted(counts.values(), reverse=True)[:3]
        with pytest.raises(clients.runtime.exceptions.InvalidInputException) as err:
            clients.runtime.get_recommendations(recommenderArn=doc["recommenderArn"], itemId="i1")
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(clients.personalize.exceptions.InvalidInputException):
            clients.personalize.create_recommender(
                name="vod",
                datasetGroupArn=ws["group"],
                recipeArn="arn:aws:personalize:::recipe/aws-vod-most-popular",
            )
    finally:
        server.stop()
