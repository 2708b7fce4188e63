"""Describe*, List* and Delete* for every control-plane resource, written once.

A resource module declares a ``ResourceSpec`` (the ARN parameter, the response keys, the
summary fields, how List* is scoped) and takes its three operations from ``operations``; only
what differs is written per resource: a document that needs more than a lookup (``load``),
what must be true before a delete and the dependants that go with it (``on_delete``, which
returns their ARNs), and work after the delete commits (``after_delete``, given those ARNs).

Errors (Personalize API reference, Describe*/Delete* "Errors"): an ARN that names no resource
of the kind is ResourceNotFoundException; a resource something else still uses is
ResourceInUseException (raised by ``on_delete``); a foreign ``nextToken`` is
InvalidNextTokenException.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from services.local.context import EngineContext, Operation
from services.local.data.storage.resources import WAITING, Resources, expect_kind, page, summary
from services.local.errors import ResourceInUse

Loader = Callable[[Resources, str], dict[str, Any]]
# (engine, transaction, ARN, document) → ARNs of dependants it removed, or None.
DeleteHook = Callable[[EngineContext, Resources, str, dict[str, Any]], list[str] | None]


@dataclass(frozen=True)
class ResourceSpec:
    """How one resource kind is described, listed and deleted.

    ``kind`` is the ARN's resource type (``dataset-import-job``); ``arn_param`` the request
    member naming it and ``describe_key``/``list_key`` the response members follow from it as
    Personalize names them (``datasetImportJobArn``, ``datasetImportJob``,
    ``datasetImportJobs``), unless given (ListFilters answers ``Filters``); ``summary`` the
    fields of a List* entry. ``scope_param`` is the optional List*
    filter (a dataset group, a parent resource), matched as the resource's ``group`` or
    ``parent`` per ``scope_by``; with ``check_scope`` a scope that does not exist is
    ResourceNotFoundException. ``newest_first`` lists jobs and versions newest first, as the
    console shows them. ``deletable`` is False for the kinds Personalize has no Delete* for
    (jobs and solution versions).
    """

    kind: str
    summary: tuple[str, ...]
    arn_param: str = ""
    describe_key: str = ""
    list_key: str = ""
    scope_param: str | None = None
    scope_kind: str | None = None
    scope_by: Literal["group", "parent"] = "group"
    check_scope: bool = True
    newest_first: bool = False
    load: Loader | None = None
    scope_load: Loader | None = None
    on_delete: (
        Callable[[EngineContext, Resources, str, dict[str, Any]], list[str] | None] | None
    ) = None
    after_delete: Callable[[EngineContext, str, list[str]], None] | None = None
    deletable: bool = True

    def __post_init__(self) -> None:
        head, *rest = self.kind.split("-")
        member = head + "".join(word.capitalize() for word in rest)
        for name, value in (
            ("arn_param", f"{member}Arn"),
            ("describe_key", member),
            ("list_key", f"{member}s"),
        ):
            if not getattr(self, name):
                object.__setattr__(self, name, value)  # frozen: set once, here

    def get(self, res: Resources, arn: str) -> dict[str, Any]:
        """The document ``arn`` names; ResourceNotFound when it names none of this kind."""
        if self.load is not None:
            return self.load(res, arn)
        expect_kind(arn, self.kind, self.arn_param)
        return res.get(arn, self.kind)


# The members every job's List* summary carries besides its ARN (API reference, e.g.
# DatasetImportJobSummary, BatchInferenceJobSummary, DataDeletionJobSummary).
JOB_SUMMARY = ("jobName", "status", "creationDateTime", "lastUpdatedDateTime", "failureReason")


def job_spec(kind: str, summary: tuple[str, ...], parent: str, **fields: Any) -> ResourceSpec:
    """A ``ResourceSpec`` for a job or a solution version: List* takes its parent's ARN as the
    optional ``parent`` member and lists newest first; there is no Delete*. ``fields`` as for
    ``ResourceSpec`` (``scope_kind`` to refuse a parent that does not exist)."""
    return ResourceSpec(
        kind=kind,
        summary=summary,
        scope_param=parent,
        scope_by="parent",
        newest_first=True,
        deletable=False,
        **fields,
    )


def forget_models(engine: EngineContext, arn: str, model_keys: list[str]) -> None:
    """An ``after_delete`` hook: drop the loaded models ``on_delete`` returned the keys of (a
    solution's versions, a recommender's model) from the engine's model cache."""
    for key in model_keys:
        engine.models.forget(key)


def describe(spec: ResourceSpec) -> Operation:
    """Describe*: ``{describe_key: document}``."""

    def handler(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
        # A read transaction: Describe answers while any import or training writes.
        with engine.reading() as res:
            return {spec.describe_key: spec.get(res, params[spec.arn_param])}

    return handler


def list_(spec: ResourceSpec) -> Operation:
    """List*: one page of summaries, optionally scoped, with an opaque ``nextToken``."""

    def handler(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
        scope = params.get(spec.scope_param) if spec.scope_param else None
        with engine.reading() as res:
            if scope and spec.check_scope and spec.scope_kind:
                if spec.scope_load is not None:
                    spec.scope_load(res, scope)
                else:
                    expect_kind(scope, spec.scope_kind, spec.scope_param or "")
                    res.get(scope, spec.scope_kind)
            where = {spec.scope_by: scope}
            docs = res.all(spec.kind, **where)
        if spec.newest_first:
            docs.reverse()
        entries = [summary(d, spec.summary) for d in docs]
        chunk, token = page(entries, params, f"{spec.list_key}:{scope}")
        return {spec.list_key: chunk, "nextToken": token}

    return handler


def delete(spec: ResourceSpec) -> Operation:
    """Delete*: checks and dependants in ``on_delete``, all in one transaction."""

    def handler(engine: EngineContext, params: dict[str, Any]) -> None:
        arn = params[spec.arn_param]
        with engine.tx() as res:
            doc = spec.get(res, arn)
            # Developer guide, "Requirements for deleting Amazon Personalize resources": a
            # resource whose status is changing (CREATE PENDING, CREATE IN_PROGRESS) cannot be
            # deleted; it must be ACTIVE or CREATE FAILED first.
            if doc.get("status") in WAITING:
                raise ResourceInUse(f"{arn} is {doc['status']}; delete it once it settles.")
            removed = spec.on_delete(engine, res, arn, doc) if spec.on_delete else None
            res.remove(arn)
        if spec.after_delete is not None:
            spec.after_delete(engine, arn, removed or [])

    return handler


def operations(
    spec: ResourceSpec, noun: str, *, create: Operation | None = None
) -> dict[str, Operation]:
    """``Create<noun>`` (when ``create`` is given), ``Describe<noun>``, ``List<noun>s``
    (``list_key`` capitalised) and ``Delete<noun>`` (when ``spec.deletable``)."""
    plural = spec.list_key[0].upper() + spec.list_key[1:]
    ops = {f"Create{noun}": create} if create is not None else {}
    ops.update({f"Describe{noun}": describe(spec), f"List{plural}": list_(spec)})
    if spec.deletable:
        ops[f"Delete{noun}"] = delete(spec)
    return ops
