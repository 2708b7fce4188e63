"""Who should get this? in AWS mode, driven on the Recommendations page (issue #21, item 4).

The page reads the workspace from the local engine standing in for Personalize (``aws_pages``,
as the other AWS page tests); the batch segment job itself is AWS's: CreateBatchSegmentJob and
DescribeBatchSegmentJob go to a Personalize client under botocore's Stubber, and the question
and its answer to S3 under the same ``AwsStubs`` (``on_aws``). So the request is checked against
the botocore service model, and what the page shows comes from model-shaped AWS answers.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

import pytest
from botocore.stub import ANY
from botocore.validate import ParamValidator
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.datasets.local_engine.snapshots import snapshot_source
from services.personalize.clients import Clients, build_clients
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs
from tests.dashboard.conftest import Seeded
from tests.dashboard.rendered import shown
from tests.dashboard.test_aws_mode import aws_pages  # noqa: F401 (a fixture)
from tests.dashboard.test_experiments_export_aws import (  # noqa: F401 (on_aws: a fixture)
    BUCKET,
    ROLE,
    _operator_at,
    on_aws,
)
from tests.local.workspace import train

PAGE = "dashboard/pages/recommendations.py"
JOB = "arn:aws:personalize:eu-west-1:123456789012:batch-segment-job/who"
SEGMENT_CALLS = frozenset({"create_batch_segment_job", "describe_batch_segment_job"})


class SegmentCallsToStubber:
    """The local engine's Personalize client, except that the batch segment calls go to the
    stubbed AWS client: the page's reads stay real, the job is AWS's answer."""

    def __init__(self, engine: Any, stubbed: Any) -> None:
        self._engine, self._stubbed = engine, stubbed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stubbed if name in SEGMENT_CALLS else self._engine, name)


@pytest.fixture
def segments_on_aws(
    aws_pages: PersonalizeService,  # noqa: F811
    on_aws: AwsStubs,  # noqa: F811
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[AwsStubs, str, list[tuple[str, dict[str, Any]]]]:
    """An Item-Affinity version trained on the seeded shop; the page's service sending the
    segment calls to the Stubber. Returns the stubs, the version and the requests sent
    (operation, parameters as the page built them)."""
    local = Settings.from_env({**os.environ, "PERSONALIZE_BACKEND": "local"})
    engine = build_clients(local)
    _, version = train(engine, seeded.group, "shop-affinity", "aws-item-affinity")
    sent: list[tuple[str, dict[str, Any]]] = []
    for client in (on_aws.client("s3"), on_aws.client("personalize")):  # what the page asked
        client.meta.events.register(
            f"provide-client-params.{client.meta.service_model.service_id.hyphenize()}",
            lambda params, model, **_: sent.append((model.name, dict(params))),
        )
    routed = Clients(
        SegmentCallsToStubber(engine.personalize, on_aws.client("personalize")),
        engine.runtime,
        engine.events,
    )
    service = PersonalizeService(routed)
    monkeypatch.setattr("dashboard.deps.service", lambda: service)
    # The group's data is read from the engine's storage (not under test: exports on AWS).
    monkeypatch.setattr("dashboard.deps.snapshots", lambda: snapshot_source(aws_pages, local))
    return on_aws, version, sent


def _ask_for_users_of_i3(at: AppTest, version: str) -> AppTest:
    box = at.selectbox(key="seg_v")
    box.select(next(o for o in box.options if version.rsplit("/", 1)[-1] in o)).run()
    at.text_input(key="seg_item").input("i3").run()
    at.number_input(key="seg_count").set_value(10).run()
    at.button(key="seg_start").click().run()
    at.button(key="seg_start_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _until(at: AppTest, done: Any) -> AppTest:
    deadline = time.monotonic() + 30
    while not done(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _queue_the_job(aws: AwsStubs, version: str, job: dict[str, Any]) -> None:
    """S3 takes the question; Personalize accepts the job (its request checked as sent, the
    parts named after the job's generated name read back from what was sent) and, asked once,
    describes it as ``job`` says (overrides of a model-shaped BatchSegmentJob)."""
    question = b'{"itemId": "i3"}\n'
    aws.respond(
        "s3", "put_object", {"ETag": '"q"'}, {"Bucket": BUCKET, "Key": ANY, "Body": question}
    )
    aws.respond(
        "personalize",
        "create_batch_segment_job",
        {"batchSegmentJobArn": JOB},
        {
            "jobName": ANY,
            "solutionVersionArn": version,
            "numResults": 10,
            "jobInput": ANY,
            "jobOutput": ANY,
            "roleArn": ROLE,
        },
    )
    aws.respond(
        "personalize",
        "describe_batch_segment_job",
        {"batchSegmentJob": {"batchSegmentJobArn": JOB, **job}},
        {"batchSegmentJobArn": JOB},
    )


def _folder(sent: list[tuple[str, dict[str, Any]]]) -> str:
    """The job's folder, from the key the question was written to."""
    (put,) = [p for name, p in sent if name == "PutObject"]
    assert put["Key"].endswith("/segment.json"), put
    return put["Key"].removesuffix("/segment.json")


def test_a_completed_job_shows_its_users_and_the_request_has_the_models_shape(
    segments_on_aws: tuple[AwsStubs, str, list[tuple[str, dict[str, Any]]]],
) -> None:
    aws, version, sent = segments_on_aws
    _queue_the_job(aws, version, {"status": "ACTIVE"})
    # the answer, read from the .out file next to the question (its key checked below)
    answer = {"input": {"itemId": "i3"}, "output": {"recommendedUsers": ["u3", "u0", "u6"]}}
    out = (json.dumps(answer) + "\n").encode()
    aws.respond("s3", "get_object", {"Body": out}, {"Bucket": BUCKET, "Key": ANY})
    at = _ask_for_users_of_i3(_operator_at(PAGE), version)
    at = _until(at, lambda at: any("user ID" in d.value.columns for d in at.dataframe))
    folder = _folder(sent)
    (read,) = [p for name, p in sent if name == "GetObject"]
    assert read["Key"] == f"{folder}/out/segment.json.out"

    (table,) = [d.value for d in at.dataframe if "user ID" in d.value.columns]
    assert list(table["user ID"]) == ["u3", "u0", "u6"]
    assert list(table["rank"]) == [1, 2, 3]
    assert any(m.value == "**3** users, most likely first." for m in at.markdown)
    aws.close()  # every queued answer was asked for: one job, one read

    # CreateBatchSegmentJob as the botocore service model defines its input
    (request,) = [p for name, p in sent if name == "CreateBatchSegmentJob"]
    model = aws.client("personalize").meta.service_model
    shape = model.operation_model("CreateBatchSegmentJob").input_shape
    assert not ParamValidator().validate(request, shape).has_errors()
    assert set(shape.required_members) == {
        "jobName", "solutionVersionArn", "jobInput", "jobOutput", "roleArn",
    }  # fmt: skip
    assert set(shape.required_members) <= set(request)
    name = shape.members["jobName"]
    assert re.fullmatch(name.metadata["pattern"], request["jobName"])
    assert len(request["jobName"]) <= name.metadata["max"]
    assert request["jobName"] == folder.rsplit("/", 1)[-1]
    assert folder.startswith("personalize-dashboard/segments/")
    assert request["jobInput"] == {"s3DataSource": {"path": f"s3://{BUCKET}/{folder}/segment.json"}}
    assert request["jobOutput"] == {"s3DataDestination": {"path": f"s3://{BUCKET}/{folder}/out/"}}
    assert (request["solutionVersionArn"], request["roleArn"], request["numResults"]) == (
        version,
        ROLE,
        10,
    )
    assert "filterArn" not in request and "graphName" not in request


def test_a_failed_job_shows_aws_reason_and_no_users(
    segments_on_aws: tuple[AwsStubs, str, list[tuple[str, dict[str, Any]]]],
) -> None:
    aws, version, sent = segments_on_aws
    reason = "Insufficient privileges for accessing data in S3 *bold* <s3://shop-bucket/…>"
    _queue_the_job(aws, version, {"status": "CREATE FAILED", "failureReason": reason})
    at = _ask_for_users_of_i3(_operator_at(PAGE), version)
    failed = "The batch segment job failed: "
    at = _until(at, lambda at: any(failed in shown(e.value) for e in at.error))

    (error,) = [shown(e.value) for e in at.error if failed in shown(e.value)]
    assert error == failed + reason  # AWS's reason, as text
    assert not [d for d in at.dataframe if "user ID" in d.value.columns]
    assert "GetObject" not in [name for name, _ in sent]  # a failed job's output is not read
    aws.close()  # and each queued answer was asked for once
