"""An ``S3DataConfig.kmsKeyArn`` is refused where the engine would otherwise accept it and
write plain files: a user who sends a key must not be left believing the output is encrypted.
Refused before anything is created (InvalidInputException, 400), with the field named."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.workspace import create_group

ROLE = "arn:aws:iam::000000000000:role/personalize"
KEY = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _refused(call: object, **kwargs: object) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)  # type: ignore[operator]
    error = caught.value.response
    assert error["Error"]["Code"] == "InvalidInputException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(error["Error"]["Message"])


def test_a_kms_key_is_refused_and_nothing_is_created(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    keyed = {"path": "s3://bucket/out/", "kmsKeyArn": KEY}

    message = _refused(
        p.create_dataset_export_job, jobName="keyed", datasetArn=ws["dataset"], roleArn=ROLE,
        jobOutput={"s3DataDestination": keyed},
    )  # fmt: skip
    assert "jobOutput.s3DataDestination.kmsKeyArn" in message
    assert p.list_dataset_export_jobs(datasetArn=ws["dataset"])["datasetExportJobs"] == []

    metrics = [{"eventType": "view", "metricName": "views", "expression": "SAMPLECOUNT()"}]
    message = _refused(
        p.create_metric_attribution, name="keyed", datasetGroupArn=ws["group"], metrics=metrics,
        metricsOutputConfig={"roleArn": ROLE, "s3DataDestination": keyed},
    )  # fmt: skip
    assert "metricsOutputConfig.s3DataDestination.kmsKeyArn" in message
    assert p.list_metric_attributions(datasetGroupArn=ws["group"])["metricAttributions"] == []

    # the same requests without the key are taken
    plain = {"path": "s3://bucket/out/"}
    p.create_dataset_export_job(
        jobName="plain", datasetArn=ws["dataset"], roleArn=ROLE,
        jobOutput={"s3DataDestination": plain},
    )  # fmt: skip
    assert len(p.list_dataset_export_jobs(datasetArn=ws["dataset"])["datasetExportJobs"]) == 1
