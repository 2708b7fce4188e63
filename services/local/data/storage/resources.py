"""Storage of Personalize resources as Describe documents, with lifecycles and paging.

Statuses that only wait (a dataset group becoming ACTIVE, a campaign update) advance lazily on
read from timestamps stored in the document, so they survive restarts and need no worker.
Statuses that do work (imports, training) are written by the job worker instead.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from services.local.data import json_text
from services.local.data.storage import tables as t
from services.local.errors import (
    InvalidNextToken,
    ResourceAlreadyExists,
    ResourceInUse,
    ResourceNotFound,
)

PENDING, IN_PROGRESS, ACTIVE = "CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"
FAILED = "CREATE FAILED"
WAITING = (PENDING, IN_PROGRESS)

# Human names for error messages, keyed by the ARN's resource type.
LABELS = {
    "schema": "Schema",
    "dataset-group": "Dataset group",
    "dataset": "Dataset",
    "dataset-import-job": "Dataset import job",
    "event-tracker": "Event tracker",
    "solution": "Solution",
    "solution-version": "Solution version",
    "campaign": "Campaign",
    "filter": "Filter",
    "batch-inference-job": "Batch inference job",
    "recipe": "Recipe",
    "recommender": "Recommender",
    "metric-attribution": "Metric attribution",
    "data-deletion-job": "Data deletion job",
}

# Documents keep engine-private bookkeeping under keys starting with "_"; the protocol layer
# drops every key the service model does not know, so they never reach a client.
READY_AT = "_readyAt"
# Tags given to Create* or TagResource, returned by ListTagsForResource.
TAGS = "_tags"


# Updates recorded in ``latest*Update``: the fields that take effect when it becomes ACTIVE.
UPDATES = {
    "latestCampaignUpdate": ("solutionVersionArn", "minProvisionedTPS", "campaignConfig"),
    "latestRecommenderUpdate": ("recommenderConfig",),
}
# Status a recommender's Start/Stop ends in → its (pending, in progress) statuses.
TARGET = "_target"
TRANSITIONS = {
    "INACTIVE": ("STOP PENDING", "STOP IN_PROGRESS"),
    "ACTIVE": ("START PENDING", "START IN_PROGRESS"),
}


@dataclass(frozen=True)
class Arns:
    """Builds ARNs in the engine's fixed region and account."""

    region: str
    account: str

    def make(self, kind: str, name: str) -> str:
        """ARN of a regional resource, e.g. ``…:campaign/NAME``."""
        return f"arn:aws:personalize:{self.region}:{self.account}:{kind}/{name}"


def kind_of(arn: str) -> str:
    """The resource type an ARN names (``solution-version`` for ``solution/NAME/ID``)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "personalize":
        return ""
    path = parts[5].split("/")
    if path[0] == "solution" and len(path) == 3:
        return "solution-version"
    return path[0]


def expect_kind(arn: str, kind: str, param: str) -> None:
    """Refuse an ARN that names no resource of ``kind`` (before looking it up).

    The model's ``Arn`` pattern has already accepted it, so it is well formed: Personalize
    answers ResourceNotFoundException (e.g. DescribeSolutionVersion given a solution's ARN),
    not InvalidInputException (API reference, Describe*/Delete* "Errors").
    """
    if kind_of(arn) != kind:
        raise ResourceNotFound(
            f"{param} {arn} does not name a {LABELS.get(kind, kind).lower()}; no such resource."
        )


def advance(doc: dict[str, Any], now: float) -> bool:
    """Move waiting statuses on once their time has come. Returns True if ``doc`` changed."""
    changed = False
    ready_at = doc.get(READY_AT)
    if doc.get("status") in WAITING and ready_at is not None:
        created = float(doc.get("creationDateTime", now))
        status = (
            ACTIVE
            if now >= ready_at
            else IN_PROGRESS
            if now >= (created + ready_at) / 2
            else PENDING
        )
        if status != doc["status"]:
            doc["status"] = status
            # The moment the status changed, not the moment it was read: readers that do not
            # store the advanced document must all report the same time.
            doc["lastUpdatedDateTime"] = (
                min(now, ready_at) if status == ACTIVE else max(created, (created + ready_at) / 2)
            )
            changed = True
    changed |= _advance_transition(doc, now)
    for update_key, fields in UPDATES.items():
        update_doc = doc.get(update_key)
        if not update_doc or update_doc.get("status") not in WAITING:
            continue
        if update_doc.get(READY_AT) is None:
            continue
        if now >= update_doc[READY_AT]:
            update_doc["status"] = ACTIVE
            update_doc["lastUpdatedDateTime"] = update_doc[READY_AT]
            # Only now does the resource serve the new version and config.
            for key in fields:
                if key in update_doc:
                    doc[key] = copy.deepcopy(update_doc[key])
            doc["lastUpdatedDateTime"] = update_doc[READY_AT]
            changed = True
        elif (
            update_doc["status"] == PENDING
            and now >= (update_doc["creationDateTime"] + update_doc[READY_AT]) / 2
        ):
            update_doc["status"] = IN_PROGRESS
            changed = True
    return changed


def _advance_transition(doc: dict[str, Any], now: float) -> bool:
    """A recommender's StopRecommender/StartRecommender: pending → in progress → target."""
    target = doc.get(TARGET)
    if target not in TRANSITIONS or doc.get(READY_AT) is None:
        return False
    pending, in_progress = TRANSITIONS[target]
    started, ready = float(doc["lastUpdatedDateTime"]), float(doc[READY_AT])
    status = target if now >= ready else in_progress if now >= (started + ready) / 2 else pending
    changed = status != doc["status"]
    doc["status"] = status
    if status == target:
        doc["lastUpdatedDateTime"] = ready
        del doc[TARGET], doc[READY_AT]
        changed = True
    return changed


class Resources:
    """Resource documents in one connection's transaction.

    A read-only view (``writable=False``, for Describe/List/Get in a read transaction) advances
    waiting statuses in memory only: ``advance`` is a pure function of the stored document and
    the time, so every reader sees the same status without writing, and the next write
    transaction that touches the document stores it.
    """

    def __init__(self, conn: Connection, now: float, *, writable: bool = True) -> None:
        self.conn = conn
        self.now = now
        self.writable = writable

    def create(
        self,
        arn: str,
        kind: str,
        name: str,
        doc: dict[str, Any],
        *,
        parent: str | None = None,
        group: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> None:
        """Insert a new resource; ResourceAlreadyExists if the ARN is taken. ``tags`` are the
        Create* call's (stored with it, so ListTagsForResource returns them)."""
        exists = self.conn.execute(select(t.resources.c.arn).where(t.resources.c.arn == arn))
        if exists.first() is not None:
            raise ResourceAlreadyExists(f"{LABELS.get(kind, kind)} {arn} already exists.")
        if tags:
            doc = {**doc, TAGS: [{"tagKey": x["tagKey"], "tagValue": x["tagValue"]} for x in tags]}
        seq = self.conn.execute(select(func.coalesce(func.max(t.resources.c.seq), 0))).scalar_one()
        self.conn.execute(
            insert(t.resources).values(
                arn=arn,
                kind=kind,
                name=name,
                parent_arn=parent,
                group_arn=group,
                created=self.now,
                seq=seq + 1,
                doc=doc,
            )
        )

    def find(self, arn: str) -> dict[str, Any] | None:
        """The current document of ``arn`` (statuses advanced), or None."""
        row = self.conn.execute(select(t.resources.c.doc).where(t.resources.c.arn == arn)).first()
        if row is None:
            return None
        doc = dict(row.doc)
        if advance(doc, self.now) and self.writable:
            self.save(arn, doc)
        return doc

    def get(self, arn: str, kind: str) -> dict[str, Any]:
        """Like ``find`` but raises ResourceNotFound, naming the resource."""
        doc = self.find(arn)
        if doc is None or kind_of(arn) != kind:
            raise ResourceNotFound(f"{LABELS.get(kind, kind)} {arn} does not exist.")
        return doc

    def save(self, arn: str, doc: Mapping[str, Any]) -> None:
        """Replace the stored document of ``arn``.

        Raises:
            RuntimeError: this is a read-only view (a handler bug, never a client error).
        """
        if not self.writable:
            raise RuntimeError("a read transaction cannot store a resource")
        self.conn.execute(update(t.resources).where(t.resources.c.arn == arn).values(doc=dict(doc)))

    def remove(self, arn: str) -> None:
        """Delete the resource row."""
        self.conn.execute(delete(t.resources).where(t.resources.c.arn == arn))

    def all(
        self, kind: str, *, parent: str | None = None, group: str | None = None
    ) -> list[dict[str, Any]]:
        """Documents of one kind, oldest first, optionally scoped."""
        query = select(t.resources.c.arn, t.resources.c.doc).where(t.resources.c.kind == kind)
        if parent is not None:
            query = query.where(t.resources.c.parent_arn == parent)
        if group is not None:
            query = query.where(t.resources.c.group_arn == group)
        docs = []
        for row in self.conn.execute(query.order_by(t.resources.c.seq)):
            doc = dict(row.doc)
            if advance(doc, self.now) and self.writable:
                self.save(row.arn, doc)
            docs.append(doc)
        return docs

    def count(self, kind: str, *, parent: str | None = None, group: str | None = None) -> int:
        """How many resources of one kind exist in a scope."""
        query = select(func.count()).select_from(t.resources).where(t.resources.c.kind == kind)
        if parent is not None:
            query = query.where(t.resources.c.parent_arn == parent)
        if group is not None:
            query = query.where(t.resources.c.group_arn == group)
        return int(self.conn.execute(query).scalar_one())


def require_active(doc: dict[str, Any], noun: str) -> dict[str, Any]:
    """``doc`` when its status is ACTIVE. A resource that is still being created, updated or
    deleted, or that failed, cannot take part in a new request: ResourceInUseException
    ("<noun> <name> is <status>."), as Personalize answers a request on a resource that is
    not ACTIVE (API reference, the Create*/Update* "Errors": ResourceInUseException)."""
    if doc["status"] != ACTIVE:
        raise ResourceInUse(f"{noun} {doc['name']} is {doc['status']}.")
    return doc


def waiting(now: float, seconds: float) -> dict[str, Any]:
    """Status fields of a resource that becomes ACTIVE after ``seconds``."""
    return {
        "status": PENDING if seconds > 0 else ACTIVE,
        "creationDateTime": now,
        "lastUpdatedDateTime": now,
        READY_AT: now + seconds,
    }


def page(
    entries: Iterable[dict[str, Any]], params: Mapping[str, Any], scope: str = ""
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``entries`` for List* calls, with an opaque nextToken."""
    entries = list(entries)
    limit = int(params.get("maxResults") or 100)
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            decoded = json_text.loads(base64.urlsafe_b64decode(token.encode()).decode())
            start, token_scope = int(decoded["offset"]), decoded["scope"]
        except (ValueError, KeyError, TypeError, binascii.Error) as err:
            raise InvalidNextToken("The nextToken is not valid.") from err
        if token_scope != scope or not 0 <= start <= len(entries):
            raise InvalidNextToken("The nextToken does not belong to this request.")
    chunk = entries[start : start + limit]
    end = start + len(chunk)
    if end >= len(entries):
        return chunk, None
    raw = json.dumps({"offset": end, "scope": scope}).encode()
    return chunk, base64.urlsafe_b64encode(raw).decode()


def summary(doc: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The subset of a document a List* summary carries."""
    return {k: doc[k] for k in keys if k in doc}
