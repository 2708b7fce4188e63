"""The dataset export job: write a dataset's rows as CSV with a header."""

from __future__ import annotations

from services.local.context import EngineContext
from services.local.data.imports.importer import ImportFailed
from services.local.data.storage import frames as datasets
from services.local.data.storage.faults import StorageFault, writing
from services.local.data.storage.locations import output_dir
from services.local.data.storage.resources import ACTIVE, FAILED
from services.local.jobs.context import JobContext
from services.local.jobs.outputs import attempt_output
from services.local.jobs.tasks.lifecycle import end_job, start_job


def run_export(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Write a dataset's rows (bulk, PutEvents/Put* or both) as CSV with a header; an
    Interactions dataset's columns are its schema's fields, in the schema's order."""
    doc = start_job(engine, arn)
    if doc is None:
        return
    with engine.tx() as res:
        dataset = res.get(doc["datasetArn"], "dataset")
    mode = doc.get("ingestionMode", "PUT")
    sources = {"BULK": ("bulk",), "PUT": ("put",), "ALL": ("bulk", "put")}[mode]
    group = dataset["datasetGroupArn"]
    kind = dataset["datasetType"]
    try:
        frame = datasets.export_frame(engine.read_db, engine.bulk, group, kind, sources)
        out = output_dir(engine, doc["jobOutput"]["s3DataDestination"]["path"]) / doc["jobName"]
        with (
            attempt_output(engine, ctx, out / "part-00000.csv", "the export") as staged,
            writing(staged, "the export") as target,
        ):
            frame.to_csv(target, index=False)
    except (ImportFailed, StorageFault) as err:
        end_job(engine, arn, FAILED, str(err))
        return
    end_job(engine, arn, ACTIVE)
