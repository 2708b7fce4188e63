"""A metric attribution needs the group's Item interactions dataset with an EVENT_TYPE column
(developer guide, "Guidelines and requirements for a metric attribution"): without one,
CreateMetricAttribution and UpdateMetricAttribution are InvalidInputException (HTTP 400), in
process and over HTTP, and nothing is stored."""

from __future__ import annotations

import pytest

from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.workspace import interactions_schema

OUTPUT = {
    "roleArn": "arn:aws:iam::000000000000:role/personalize",
    "s3DataDestination": {"path": "s3://bucket/attribution/"},
}
CLICKS = {"eventType": "click", "metricName": "clicks", "expression": "SAMPLECOUNT()"}
NO_EVENT_TYPE = interactions_schema(event_type=False)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_no_interactions_dataset_or_no_event_type_is_refused(world: World, transport: str) -> None:
    w = world.over(transport)
    p = w.clients.personalize
    suffix = transport.replace("-", "")
    empty = p.create_dataset_group(name=f"no-interactions-{suffix}")["datasetGroupArn"]
    plain = p.create_dataset_group(name=f"no-event-type-{suffix}")["datasetGroupArn"]
    schema = p.create_schema(name=f"no-event-type-{suffix}", schema=NO_EVENT_TYPE)["schemaArn"]
    dataset = p.create_dataset(
        name=f"no-event-type-{suffix}",
        schemaArn=schema,
        datasetGroupArn=plain,
        datasetType="Interactions",
    )["datasetArn"]
    try:
        for group, needle in ((empty, "no Item interactions dataset"), (plain, "EVENT_TYPE")):
            refused(
                w,
                "InvalidInputException",
                lambda g=group: p.create_metric_attribution(
                    name=f"m-{suffix}",
                    datasetGroupArn=g,
                    metrics=[CLICKS],
                    metricsOutputConfig=OUTPUT,
                ),
                needle,
            )
            assert p.list_metric_attributions(datasetGroupArn=group)["metricAttributions"] == []
        # the world's group has EVENT_TYPE: the same request is accepted there
        arn = p.create_metric_attribution(
            name=f"m-{suffix}",
            datasetGroupArn=w.ws["group"],
            metrics=[CLICKS],
            metricsOutputConfig=OUTPUT,
        )["metricAttributionArn"]
        p.delete_metric_attribution(metricAttributionArn=arn)
    finally:
        p.delete_dataset(datasetArn=dataset)
        p.delete_schema(schemaArn=schema)
        p.delete_dataset_group(datasetGroupArn=plain)
        p.delete_dataset_group(datasetGroupArn=empty)
