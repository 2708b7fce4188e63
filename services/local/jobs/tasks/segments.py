"""The batch segment job: answer every JSON line of the input with a user segment.

Output lines follow the developer guide's "Batch segment job output format examples":
Item-Affinity ``{"input": {"itemId": "105"}, "output": {"recommendedUsers": [...]}}``,
Item-Attribute-Affinity ``{"itemAttributes": "ITEMS.genres = \\"Comedy\\"", "output":
{"recommendedUsers": [...]}}``; users most likely first. A line the model cannot answer (an
unknown item, a malformed attribute query, filter values that do not fit the filter) gets
``"output": null`` and an ``"error"``, as batch inference lines do; a line that is not a JSON
object fails the job, naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np

from services.local.context import EngineContext
from services.local.filters.evaluate import evaluate_users
from services.local.filters.expression import FilterExpression, FilterExpressionError
from services.local.filters.parse import parse_filter
from services.local.jobs.context import JobContext
from services.local.jobs.tasks.batch import run_lines_job
from services.local.models.recipes.segments import AffinityModel, SegmentQueryError


def run_segment(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Answer every JSON line of the input with the users most likely to interact."""

    def answerer(doc: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
        with engine.reading() as res:
            version = res.get(doc["solutionVersionArn"], "solution-version")
            filter_doc = res.find(doc["filterArn"]) if doc.get("filterArn") else None
        loaded = engine.models.get(version)
        model = cast(AffinityModel, loaded.model)  # CreateBatchSegmentJob checked its recipe
        expr = parse_filter(filter_doc["filterExpression"]) if filter_doc else None
        return lambda q: segment_line(engine, model, loaded.group, expr, doc, q)

    run_lines_job(engine, arn, ctx, "the batch segment output", answerer)


def segment_line(
    engine: EngineContext,
    model: AffinityModel,
    group: str,
    expr: FilterExpression | None,
    job: dict[str, Any],
    query: dict[str, Any],
) -> dict[str, Any]:
    """One output line: the ``numResults`` users with the highest affinity for the line's
    item (``itemId``) or items (``itemAttributes``), after the job's user filter."""
    by_attributes = model.recipe_name == "aws-item-attribute-affinity"
    key = "itemAttributes" if by_attributes else "itemId"
    head: dict[str, Any] = (
        {"itemAttributes": query.get("itemAttributes")} if by_attributes else {"input": query}
    )
    try:
        if not isinstance(query.get(key), str) or not query[key]:
            raise SegmentQueryError(f"Each input line of this job needs a string {key}.")
        values = query.get("filterValues")
        if values is not None and not (
            isinstance(values, dict) and all(isinstance(v, str) for v in values.values())
        ):
            raise SegmentQueryError(
                'filterValues must map names to strings, e.g. {"A": "\\"x\\""}.'
            )
        targets = (
            model.items_with(query[key]) if by_attributes else model.items_for_item(query[key])
        )
        scores = model.users_for_items(targets)
        allowed = np.ones(len(scores), dtype=bool)
        if expr is not None:
            allowed = evaluate_users(
                expr,
                user_ids=model.user_ids,
                users=engine.models.users(group),
                values=query.get("filterValues"),
            )
        order = [i for i in np.argsort(-scores, kind="stable") if allowed[i]]
        users = [str(model.user_ids[i]) for i in order[: int(job.get("numResults", 25))]]
        return {**head, "output": {"recommendedUsers": users}, "error": None}
    except (SegmentQueryError, FilterExpressionError, NotImplementedError) as err:
        return {**head, "output": None, "error": str(err)}
