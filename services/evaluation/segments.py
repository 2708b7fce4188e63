"""Who should get this? The users most likely to want an item or a category, from a batch
segment job (the USER_SEGMENTATION recipes aws-item-affinity and aws-item-attribute-affinity).

Personalize answers segments only in batch (CreateBatchSegmentJob; no campaign serves these
recipes), so a question is one JSON line written to S3, a job, and its ``.out`` file read back.
Input and output lines follow the developer guide's "Preparing input data for batch
recommendations" and "Batch segment job output format examples": Item-Affinity reads
``{"itemId": "105"}`` and answers ``{"input": {"itemId": "105"}, "output": {"recommendedUsers":
[...]}}``; Item-Attribute-Affinity reads ``{"itemAttributes": "ITEMS.genres = \\"Comedy\\""}``
and answers with the same ``itemAttributes`` next to ``output``. Users come most likely first.
The local engine runs the same calls (``services/local/control/segments.py``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from services.datasets.snapshot import Location, ObjectStore
from services.errors import ServiceError
from services.personalize.facade import PersonalizeService

ITEM_AFFINITY = "aws-item-affinity"
ATTRIBUTE_AFFINITY = "aws-item-attribute-affinity"
SEGMENT_INPUT = "segment.json"
MAX_USERS = 5_000_000  # CreateBatchSegmentJob numResults' documented upper bound
FIELD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def query_line(recipe: str, value: str, field: str = "CATEGORY") -> dict[str, str]:
    """The input line for one question: an item ID (Item-Affinity) or an Items field's value
    (Item-Attribute-Affinity, ``ITEMS.<field> = "<value>"``).

    Raises ValueError for an empty value, a field name that is not letters, digits and '_',
    or a recipe that does not segment users.
    """
    value = value.strip()
    if not value:
        raise ValueError("give an item ID or a value")
    if recipe == ITEM_AFFINITY:
        return {"itemId": value}
    if recipe != ATTRIBUTE_AFFINITY:
        raise ValueError(f"{recipe} does not segment users")
    if not field or not set(field) <= FIELD_CHARS:
        raise ValueError("an Items field name is letters, digits and '_'")
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return {"itemAttributes": f'ITEMS.{field} = "{quoted}"'}


def as_line(query: dict[str, str]) -> str:
    """The input line as written to S3, Hangul kept as written (for showing)."""
    return json.dumps(query, ensure_ascii=False)


@dataclass(frozen=True)
class SegmentJob:
    """A started question: the job, the line asked and where the answer will be."""

    job_arn: str
    version_arn: str
    query: dict[str, str]
    output_uri: str  # the .out file

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for session state (``SegmentJob(**d)`` reads them back)."""
        return asdict(self)


def start_segment_job(
    service: PersonalizeService,
    objects: ObjectStore,
    where: Location,
    version_arn: str,
    query: dict[str, str],
    num_results: int,
) -> SegmentJob:
    """Write ``query`` as one JSON line and start a batch segment job on the version.

    Raises ValueError for ``num_results`` outside 1-5,000,000; ServiceError when the service
    refuses the job (with its text).
    """
    if not 1 <= num_results <= MAX_USERS:
        raise ValueError(f"ask for between 1 and {MAX_USERS:,} users")
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"segment-{stamp}-{secrets.token_hex(4)}"
    folder = where.uri("segments", name)
    objects.put(f"{folder}/{SEGMENT_INPUT}", (json.dumps(query) + "\n").encode())
    job = service.create_batch_segment_job(
        name,
        version_arn,
        f"{folder}/{SEGMENT_INPUT}",
        f"{folder}/out/",
        where.role_arn,
        num_results,
    )
    return SegmentJob(job, version_arn, dict(query), f"{folder}/out/{SEGMENT_INPUT}.out")


def read_segment(objects: ObjectStore, job: SegmentJob) -> list[str]:
    """The users of the job's answer, most likely first.

    Raises:
        ServiceError: the output has no line for the question, a line that is not JSON, or
            the service's error for the line (e.g. an item the model does not know).
    """
    lines = [raw for raw in objects.get(job.output_uri).decode("utf-8").splitlines() if raw]
    if not lines:  # one question was asked: its answer is the first line
        raise ServiceError("The segment output has no answer.")
    try:
        answer = json.loads(lines[0])
    except ValueError as err:
        raise ServiceError(f"The segment output is not JSON: {err}") from err
    if not isinstance(answer, dict):
        raise ServiceError("The segment output is not a JSON object.")
    if answer.get("error"):
        raise ServiceError(str(answer["error"]))
    return [str(u) for u in (answer.get("output") or {}).get("recommendedUsers") or []]


def segment_frame(users: list[str]) -> pd.DataFrame:
    """One row per user: ``rank`` (1 = most likely) and ``user_id``, for the table and CSV."""
    return pd.DataFrame({"rank": range(1, len(users) + 1), "user_id": users})
