"""Where a resource's job waits in the in-process local engine's job queue, in words for a
progress line: "queued behind the train job of solution/demo-similar-items/1a2b3c4d, position 2
in the queue". A resource in CREATE PENDING is a job no worker has claimed yet (the engine runs
its jobs one at a time per worker, oldest first), and the wait can be minutes while other
training runs; Personalize reports no queue, so on AWS and over HTTP there is no source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from services.config import Settings

if TYPE_CHECKING:
    from services.local.engine import LocalEngine
    from services.local.jobs.job_table import QueuePlace

QueueSource = Callable[[str], str | None]
"""A resource ARN → where its job waits, in words; None when it does not wait in a queue."""


def resource_path(arn: str) -> str:
    """An ARN's resource part: ``solution/demo-shop/1a2b3c4d`` of
    ``arn:aws:personalize:us-east-1:000000000000:solution/demo-shop/1a2b3c4d``."""
    return arn.split(":", 5)[-1]


def place_line(place: QueuePlace) -> str:
    """``place`` in words: what runs ahead (the job kind and its resource) and the position;
    with nothing running, whether no job has run yet or none is running now (the engine has
    run jobs before)."""
    where = f"position {place.position} in the queue"
    if not place.running:
        idle = "no job is running now" if place.started_before else "no job has run yet"
        return f"queued, {where}; {idle}"
    kind, arn = place.running[0]
    more = len(place.running) - 1
    also = f" (and {more} more running)" if more else ""
    return f"queued behind the {kind} job of {resource_path(arn)}{also}, {where}"


def local_queue_line(engine: LocalEngine, arn: str) -> str | None:
    """Where the job of the resource ``arn`` waits (one read transaction), in words; None
    when it waits in no queue (its job runs or ended) or the engine's database cannot be read
    (a progress line does without it)."""
    from services.local.jobs.job_table import place

    try:
        with engine.read_db.connect() as conn:
            found = place(conn, arn)
    except SQLAlchemyError:
        return None
    return None if found is None else place_line(found)


def queue_source(settings: Settings) -> QueueSource | None:
    """Where resources' jobs wait: the in-process engine's queue, else None (AWS, or an
    engine over HTTP: Personalize reports no queue)."""
    if settings.is_local and not settings.endpoint_url:
        from services.local.engine import get_engine

        engine = get_engine(settings)
        return lambda arn: local_queue_line(engine, arn)
    return None
