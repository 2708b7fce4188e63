"""The batch inference job: answer every JSON line of the input with recommendations."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from services.local.context import EngineContext
from services.local.data import json_text
from services.local.data.imports.importer import ImportFailed
from services.local.data.storage.faults import writing
from services.local.data.storage.locations import output_dir, resolve_location
from services.local.data.storage.resources import ACTIVE, FAILED
from services.local.errors import EngineError
from services.local.jobs.context import JobContext
from services.local.jobs.outputs import attempt_output
from services.local.jobs.tasks.lifecycle import end_job, start_job
from services.local.runtime.scoring import batch_answer


def run_batch(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Answer every JSON line of the input with recommendations, as Personalize does."""
    run_lines_job(
        engine, arn, ctx, "the batch output", lambda doc: partial(batch_answer, engine, doc)
    )


def run_lines_job(
    engine: EngineContext,
    arn: str,
    ctx: JobContext,
    output: str,
    answerer: Callable[[dict[str, Any]], Callable[[dict[str, Any]], Any]],
) -> None:
    """Run a batch inference or segment job: ``answerer(doc)`` (read before any line) gives
    each input line's answer, written by ``answer_lines`` (``output`` names the output in
    errors). A bad input line or file, an engine error or a disk/file fault ends the job
    FAILED with its cause; otherwise it ends ACTIVE."""
    doc = start_job(engine, arn)
    if doc is None:
        return
    try:
        answer_lines(engine, doc, ctx, output, answerer(doc))
    except (ImportFailed, EngineError, OSError, UnicodeDecodeError) as err:
        end_job(engine, arn, FAILED, getattr(err, "message", None) or str(err))
        return
    end_job(engine, arn, ACTIVE)


def answer_lines(
    engine: EngineContext,
    doc: dict[str, Any],
    ctx: JobContext,
    what: str,
    answer: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Write ``<output path>/<input file>.out`` with ``answer`` of every JSON line of every
    input file of a batch job (``doc``), in order; blank lines are skipped.

    Raises:
        ImportFailed: a line that is not a JSON object (naming the file and line), or an
            output location that is not one.
        StorageFault: the output cannot be written (nothing partial is left).
        ClaimLost: the job is no longer this worker's; no output of this attempt is placed
            (``outputs.attempt_output``).
    """
    inputs = resolve_location(
        engine, doc["jobInput"]["s3DataSource"]["path"], "jobInput.s3DataSource.path"
    )
    out_dir = output_dir(engine, doc["jobOutput"]["s3DataDestination"]["path"])
    for path in inputs:
        lines = []
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                query = json_text.loads(raw)
                if not isinstance(query, dict):
                    raise ValueError("not a JSON object")
            except ValueError as err:
                raise ImportFailed(f"{path.name} line {n}: {err}") from err
            lines.append(json.dumps(answer(query), ensure_ascii=False))
            if n % 200 == 0:
                ctx.check_cancelled()
        with (
            attempt_output(engine, ctx, out_dir / f"{path.name}.out", what) as staged,
            writing(staged, what) as target,
        ):
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
