"""Deletion order, in-process and over HTTP: a resource others depend on is not deleted while
they exist (developer guide, "Deleting a dataset to delete all of its data" and "Requirements
for deleting Amazon Personalize resources"); each refusal is ResourceInUseException (HTTP 400)
and leaves the stored state as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.personalize.clients import build_clients
from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.server import EngineServer
from tests.local.workspace import INTERACTIONS_SCHEMA

OUTPUT = {
    "roleArn": "arn:aws:iam::000000000000:role/personalize",
    "s3DataDestination": {"path": "s3://bucket/attribution/"},
}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_dataset_outlives_what_the_guide_orders_first(world: World, transport: str) -> None:
    """Filters, then the event tracker, then a metric attribution, then an ACTIVE campaign
    each keep the Interactions dataset; every one is removed in turn and the next one is
    named."""
    w = world.over(transport)
    p = w.clients.personalize
    dataset, group = w.ws["dataset"], w.ws["group"]

    def delete_dataset() -> None:
        p.delete_dataset(datasetArn=dataset)

    flt = p.create_filter(
        name=f"keep-{transport}",
        datasetGroupArn=group,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")',
    )["filterArn"]
    refused(w, "ResourceInUseException", delete_dataset, "filter")
    p.delete_filter(filterArn=flt)

    tracker = p.list_event_trackers(datasetGroupArn=group)["eventTrackers"][0]
    refused(w, "ResourceInUseException", delete_dataset, "event tracker")
    p.delete_event_tracker(eventTrackerArn=tracker["eventTrackerArn"])
    try:
        attribution = p.create_metric_attribution(
            name=f"keep-{transport}",
            datasetGroupArn=group,
            metrics=[{"eventType": "click", "metricName": "clicks", "expression": "SAMPLECOUNT()"}],
            metricsOutputConfig=OUTPUT,
        )["metricAttributionArn"]
        refused(w, "ResourceInUseException", delete_dataset, "metric attribution")
        p.delete_metric_attribution(metricAttributionArn=attribution)

        # the world's campaign is ACTIVE: a dataset of its group stays
        assert p.describe_campaign(campaignArn=w.campaign)["campaign"]["status"] == "ACTIVE"
        message = refused(w, "ResourceInUseException", delete_dataset, "campaign")
        assert "ACTIVE" in message
    finally:
        p.create_event_tracker(name=tracker["name"], datasetGroupArn=group)
    assert p.describe_dataset(datasetArn=dataset)["dataset"]["status"] == "ACTIVE"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_group_and_a_solution_outlive_their_dependants(world: World, transport: str) -> None:
    """DeleteDatasetGroup while trackers, solutions and datasets exist; DeleteSolution while a
    campaign serves one of its versions; DeleteSchema while a dataset uses it."""
    w = world.over(transport)
    p = w.clients.personalize
    refused(
        w,
        "ResourceInUseException",
        lambda: p.delete_dataset_group(datasetGroupArn=w.ws["group"]),
        "event tracker",
    )
    refused(
        w, "ResourceInUseException", lambda: p.delete_solution(solutionArn=w.solution), "campaign"
    )
    refused(
        w, "ResourceInUseException", lambda: p.delete_schema(schemaArn=w.ws["schema"]), "dataset"
    )


def test_nothing_is_deleted_while_it_is_being_created(tmp_path: Path) -> None:
    """A resource CREATE PENDING cannot be deleted until it is ACTIVE or CREATE FAILED (the
    guide's first rule), in-process and over HTTP on one data directory."""
    data = tmp_path / "data"
    server = EngineServer(
        data, PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="600", PERSONALIZE_LOCAL_WORKER="thread"
    ).start()
    try:
        settings = Settings(data_dir=data, lifecycle_seconds=600.0, worker_mode="thread")
        for transport, clients in (
            ("in-process", build_clients(settings)),
            ("http", build_clients(Settings(endpoint_url=server.url, data_dir=data))),
        ):
            p = clients.personalize
            group = p.create_dataset_group(name=f"slow-{transport}")["datasetGroupArn"]
            schema = p.create_schema(name=f"s-{transport}", schema=INTERACTIONS_SCHEMA)["schemaArn"]
            assert p.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"] == (
                "CREATE PENDING"
            )
            w = World(clients, get_engine(settings), data, {}, "", "", "", "", clients, server.url)
            refused(
                w,
                "ResourceInUseException",
                lambda g=group, c=p: c.delete_dataset_group(datasetGroupArn=g),
                "CREATE PENDING",
            )
            assert p.describe_schema(schemaArn=schema)["schema"]["name"] == f"s-{transport}"
    finally:
        server.stop()
        reset_engines()
