"""The facade's plumbing: one call and one paginated listing through boto3, with botocore's
errors translated (``wire_errors``) and every answer checked for missing members.

The facade's call groups (``data_calls``, ``training_calls``, ``deployment_calls``) and the
facade itself (runtime and events) build on ``Calls``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from services.personalize import wire_errors
from services.personalize.models import DatasetExportJob, ImportJob, SolutionVersion

PAGE_SIZE = 100  # the API maximum for maxResults: fewest round trips
_EPOCH = datetime.min.replace(tzinfo=UTC)
# What botocore's parsers raise on a body that does not fit the output shape (a string where a
# list is due, a date that is not one), and what clients.refuse_unreadable_bodies raises on a
# body that is not JSON; a member missing from an answer is reported by ``wire_errors.checked``.
_UNPARSEABLE = (AttributeError, TypeError, ValueError, ResponseParserError)

T = TypeVar("T")
Dated = TypeVar("Dated", SolutionVersion, ImportJob, DatasetExportJob)


class ClientBundle(Protocol):
    """What ``services.personalize.clients.Clients`` provides: the three boto3 clients."""

    @property
    def personalize(self) -> Any: ...
    @property
    def runtime(self) -> Any: ...
    @property
    def events(self) -> Any: ...


def compact(**params: Any) -> dict[str, Any]:
    """``params`` without the members that are None (botocore refuses None for a member)."""
    return {k: v for k, v in params.items() if v is not None}


def require_one_of(name: str, value: str, allowed: Sequence[str]) -> None:
    """Refuse, before any call, an argument outside the values its operation takes.

    Raises:
        ValueError: ``"<name> must be 'A' or 'B', not 'x'"``.
    """
    if value not in allowed:
        raise ValueError(f"{name} must be {' or '.join(map(repr, allowed))}, not {value!r}")


def _snake(member: str) -> str:
    """``datasetImportJob`` → ``dataset_import_job``: boto3's method name for an operation."""
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), member)


def newest_first(items: list[Dated]) -> list[Dated]:
    """Versions or import jobs, the most recently created first (undated ones last)."""
    return sorted(items, key=lambda x: x.created or _EPOCH, reverse=True)


class Calls:
    """The three boto3 clients and the two ways the facade calls them."""

    def __init__(self, clients: ClientBundle) -> None:
        self._p = clients.personalize
        self._runtime = clients.runtime
        self._events = clients.events

    def _call(
        self,
        client: Any,
        method: str,
        target: str | None = None,
        kind: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        operation = client.meta.method_to_api_mapping.get(method, method)
        try:
            resp = getattr(client, method)(**kw)
        except (ClientError, BotoCoreError) as err:
            raise wire_errors.translate_error(err, operation, target, kind) from err
        except _UNPARSEABLE as err:  # botocore met a member of the wrong type, or a bad date
            raise wire_errors.malformed(operation, str(err)) from err
        answer: dict[str, Any] = wire_errors.checked(resp, operation)
        return answer

    def _list(
        self, method: str, key: str, parse: Callable[[Any], T], target: str | None = None, **kw: Any
    ) -> list[T]:
        operation = self._p.meta.method_to_api_mapping.get(method, method)
        pages = self._p.get_paginator(method).paginate(
            **compact(**kw), PaginationConfig={"PageSize": PAGE_SIZE}
        )
        try:
            return [
                parse(wire_errors.checked(item, operation))
                for page in pages
                for item in page.get(key, [])
            ]
        except (ClientError, BotoCoreError) as err:
            raise wire_errors.translate_error(err, operation, target) from err
        except _UNPARSEABLE as err:
            raise wire_errors.malformed(operation, str(err)) from err

    def _describe(self, member: str, parse: Callable[[Any], T], arn: str) -> T:
        """Describe<Member> of ``arn``, parsed. Personalize names all its Describe* alike
        (API reference, e.g. DescribeDatasetImportJob): the request member is ``<member>Arn``
        and the answer holds the resource as ``<member>`` (``member`` is camelCase,
        ``datasetImportJob``). Errors as ``_call``."""
        resp = self._call(self._p, f"describe_{_snake(member)}", arn, **{f"{member}Arn": arn})
        return parse(resp[member])

    def _list_of(
        self, member: str, parse: Callable[[Any], T], key: str = "", **scope: str | None
    ) -> list[T]:
        """List<Member>s, every page, parsed: the answer's list is ``<member>s`` unless ``key``
        names it (ListFilters answers ``Filters``); ``scope`` is the one optional parent member
        (``datasetGroupArn=...``; None lists all). Errors as ``_list``."""
        target = next(iter(scope.values()), None)
        return self._list(f"list_{_snake(member)}s", key or f"{member}s", parse, target, **scope)

    def _start(
        self, method: str, arn_member: str, target: str, kind: str | None = None, **params: Any
    ) -> str:
        """A Create* or Update* call (``method``) with ``params``, None members left out; the
        ARN the answer names as ``arn_member`` (``datasetImportJobArn``). ``target`` and
        ``kind`` name the resource in a translated error. Errors as ``_call``."""
        resp = self._call(self._p, method, target, kind, **compact(**params))
        arn: str = resp[arn_member]
        return arn
