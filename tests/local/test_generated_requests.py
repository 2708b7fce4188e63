"""Requests generated from botocore's shapes get no 5xx: every operation of the three services
the engine serves (personalize, personalize-runtime, personalize-events), in-process and over
HTTP.

For each operation a *base* request fills every member, required and optional, with a value
that fits its shape; ARN members name the world's real resources (a trained group with
items, a campaign, a tracker, a filter), so most requests get past "not found" into the
handlers. Each *variant* then changes one member (at any depth) of the base request:

- ``null``, absent, a value of the wrong JSON type;
- extreme strings: empty, over the model's maximum, NUL inside, Hangul, control and
  bidirectional characters, a path that climbs out of its folder, the base value with such a
  character appended (so patterns such as ``arn:…:.+`` and ``s3://.+`` still match);
- extreme numbers and timestamps: 0, -1, the model's bounds and one past them, 2**31,
  ±2**63-1, 1e308, 5e-324, year 10000;
- lists and maps empty, of 600 elements, or holding a null; an unexpected member.

Every variant of every member (about 7,000 requests) is sent through ``protocol.dispatch``
(what the in-process before-send hook calls; boto3 would refuse most of them client-side), and
a seeded sample of ``OVER_HTTP`` per operation over a keep-alive socket to
``python -m services.local serve`` on 127.0.0.1 (about 2,000). Destructive operations
(Delete*, Stop*) run last. Every answer must be below 500, and every 4xx an AWS-shaped error.
"""

from __future__ import annotations

import copy
import http.client
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel, Shape

from services.local.wire.protocol import dispatch
from services.local.wire.validation import _pattern
from tests.local.asgi import Reply
from tests.local.refusals import World, serve_world
from tests.local.test_http_malformed import problem
from tests.local.workspace import INTERACTIONS_SCHEMA

SERVICES = ("personalize", "personalize-runtime", "personalize-events")
OVER_HTTP = 25  # variants per operation sent over the socket too (all go in-process)
SEED = 17
CONTROL_TYPE = "application/x-amz-json-1.1"
ACCOUNT = "arn:aws:personalize:us-east-1:000000000000"
ABSENT = object()  # a variant that removes the member

# Strings that fit the member by name (patterns, and what the handlers expect to read).
BASE_STRINGS = {
    "name": "fuzz1",
    "jobName": "fuzz1",
    "userId": "u1",
    "itemId": "i1",
    "actionId": "a1",
    "sessionId": "s1",
    "eventId": "e1",
    "eventType": "view",
    "impression": "i2",
    "recommendationId": "RID-1",
    "properties": '{"category": "cat0", "price": 3}',
    "schema": INTERACTIONS_SCHEMA,
    "filterExpression": "EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATS)",
    "dataLocation": "s3://bucket/shop/interactions.csv",
    "path": "s3://bucket/fuzz-out/",
    "datasetType": "Interactions",
    "roleArn": "arn:aws:iam::000000000000:role/fuzz",
    "kmsKeyArn": "arn:aws:kms:us-east-1:000000000000:key/fuzz",
    "schedulingExpression": "rate(1 day)",
    "itemAttribute": "CATEGORY",
    "metricName": "clicks",
    "expression": "SAMPLECOUNT()",
    "eventAttributionSource": "box",
    "filterValues.key": "CATS",
    "filterValues.value": '"cat0"',
    "metadataColumns.key": "Items",
    "metadataColumns.value": "CATEGORY",
    "context.key": "DEVICE",
    "tagKey": "team",
    "tagKeys": "team",
    "tagValue": "ml",
    "itemName": "CATEGORY",
    "includedDatasetColumns.key": "Items",
    "excludedDatasetColumns.key": "Items",
    "includedDatasetColumns.value": "CATEGORY",
    "excludedDatasetColumns.value": "CATEGORY",
    "nextToken": "",
    "itemExplorationConfig.key": "explorationWeight",
    "itemExplorationConfig.value": "0.3",
    "algorithmArn": "arn:aws:personalize:::algorithm/aws-popularity-count",
    "featureTransformationArn": "arn:aws:personalize:::algorithm/aws-popularity-count",
    # Where a member's meaning depends on where it is (longest dotted suffix wins):
    "jobInput.s3DataSource.path": "s3://bucket/batch/users.json",
    "eventList.properties": "{}",
}
# Mutated strings: each replaces the value, or is appended to it (+).
STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "+\x00",
    "상품 목록 ₩1000",
    "+한",
    "+é",
    "\u202e\u200b\ufeff",
    "\x01\x1f\x7f",
    "../../../../../etc/passwd",
    "+/../../..",
    "s3://\x00/x",
    "s3://bucket/" + "k" * 300,
    "arn:aws:personalize:us-east-1:000000000000:dataset-group/\x00",
    '{"a": ' * 50,
    "[" * 5000,  # JSON-in-a-string members (schema, properties) nested past the parser's limit
    '{"a":' * 3000 + "1" + "}" * 3000,
    "NaN",
    "\\u0000",
]
NUMBERS: list[Any] = [0, -1, 1, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63), 0.5, 1e308, 5e-324]
TIMESTAMPS: list[Any] = [-1, 0, 1e12, 253_402_300_800, 2**62, -(2**62), 1e300, 5e-324]


@dataclass(frozen=True)
class Variant:
    why: str
    body: bytes


def _models() -> Iterator[tuple[str, OperationModel]]:
    session = botocore.session.get_session()
    ops = []
    for name in SERVICES:
        model = session.get_service_model(name)
        ops += [(name, model.operation_model(op)) for op in model.operation_names]
    # Delete* and Stop* last: before them the world's resources stay in place for the rest.
    yield from sorted(ops, key=lambda o: o[1].name.startswith(("Delete", "Stop")))


def _fits(shape: Shape, text: str) -> bool:
    meta = shape.metadata
    pattern = meta.get("pattern")
    if pattern and not _pattern(pattern).fullmatch(text):
        return False
    return meta.get("min", 0) <= len(text) <= meta.get("max", 10**9)


def base_value(shape: Shape, name: str, arns: dict[str, str], depth: int = 0) -> Any:
    """A value of ``shape`` that passes validation (as far as names allow); ``name`` is the
    operation and the member names that lead to it (``PutItems.items.properties``); the
    longest suffix of it found in ``arns`` or ``BASE_STRINGS`` gives a string its value."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 6:
            return {}
        members = dict(shape.members)
        if "campaignArn" in members:
            members.pop("recommenderArn", None)  # one or the other (GetRecommendations)
        return {m: base_value(s, _join(name, m), arns, depth + 1) for m, s in members.items()}
    if kind == "list":
        return [base_value(shape.member, name, arns, depth + 1)]
    if kind == "map":
        key = base_value(shape.key, f"{name}.key", arns, depth + 1)
        return {key: base_value(shape.value, f"{name}.value", arns, depth + 1)}
    if kind in ("integer", "long"):
        return int(max(shape.metadata.get("min", 1), min(shape.metadata.get("max", 10), 10)))
    if kind in ("float", "double"):
        return 0.5
    if kind == "boolean":
        return False  # performAutoML, performHPO: off unless a variant turns them on
    if kind == "timestamp":
        return 1_700_000_000
    if shape.enum:
        return shape.enum[0]
    parts = name.split(".")
    named = [".".join(parts[i:]) for i in range(len(parts))]  # longest suffix first
    candidates = [c for n in named for c in (arns.get(n), BASE_STRINGS.get(n))]
    for text in (*candidates, "fuzz1", f"{ACCOUNT}:thing/fuzz"):
        if text is not None and _fits(shape, text):
            return text
    return "x" * int(shape.metadata.get("min", 1))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _members(shape: Shape, value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """(path, shape) of every member in ``value`` (structure members and list/map elements)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for m, v in value.items():
            yield (*path, m), shape.members[m]
            yield from _members(shape.members[m], v, (*path, m))
    elif kind == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            yield from _members(shape.member, v, (*path, i))
    elif kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            yield (*path, k), shape.value
            yield from _members(shape.value, v, (*path, k))


def _mutations(shape: Shape, base: Any) -> list[tuple[str, Any]]:
    """(why, new value) for one member; ABSENT removes it."""
    kind = shape.type_name
    meta = shape.metadata
    out: list[tuple[str, Any]] = [("null", None), ("absent", ABSENT)]
    if kind == "string":
        out.append(("number", 12345))
        out.append(("over max", "x" * (int(meta.get("max", 4000)) + 1)))
        for text in STRINGS:
            value = base + text[1:] if text.startswith("+") else text
            out.append((f"string {value[:40]!r}", value))
    elif kind in ("integer", "long", "float", "double"):
        out.append(("string", "12"))
        bounds = [meta[k] + d for k in ("min", "max") if k in meta for d in (-1, 0, 1)]
        out += [(f"number {n!r}", n) for n in [*NUMBERS, *bounds]]
    elif kind == "timestamp":
        out.append(("string", "2020-01-01T00:00:00Z"))
        out += [(f"timestamp {t!r}", t) for t in TIMESTAMPS]
    elif kind == "boolean":
        out += [("string", "true"), ("number", 1), ("true", True)]
    elif kind == "structure":
        out += [("string", "x"), ("list", [base]), ("empty", {})]
        out.append(("unexpected member", {**base, "zzUnexpected": 1}))
    elif kind == "list":
        out += [("object", {"a": 1}), ("empty", []), ("[null]", [None])]
        out.append(("600 elements", base * 600 if base else ["x"] * 600))
    elif kind == "map":
        out += [("list", ["x"]), ("empty", {}), ("null value", dict.fromkeys(base or ["k"]))]
        out.append(("600 entries", {f"k{i}": next(iter(base.values()), "v") for i in range(600)}))
        out.append(("NUL key", {"k\x00": next(iter(base.values()), "v")}))
    return out


def variants(op: OperationModel, arns: dict[str, str], rng: random.Random) -> list[Variant]:
    """The base request, an unexpected top-level member, the required members only, then every
    one-member mutation in a seeded order (the first ``OVER_HTTP`` also go over HTTP)."""
    shape = op.input_shape
    if shape is None:
        return [Variant("no input", b"{}"), Variant("unexpected member", b'{"zz": 1}')]
    base = base_value(shape, op.name, arns)  # names start with the operation's
    found = [Variant("base", json.dumps(base).encode())]
    found.append(Variant("unexpected member", json.dumps({**base, "zzUnexpected": 1}).encode()))
    found.append(Variant("required only", json.dumps(_required(shape, base)).encode()))
    changed: list[Variant] = []
    for path, member in _members(shape, base):
        for why, value in _mutations(member, _get(base, path)):
            # A name of its own (unless the name is what changes), so a create variant is not
            # refused as a duplicate of the base before its change is looked at.
            named = _renamed(base, path, f"fuzz{len(changed) + 2}")
            changed.append(Variant(f"{'.'.join(map(str, path))}: {why}", _set(named, path, value)))
    rng.shuffle(changed)
    return found + changed


def _renamed(base: dict[str, Any], path: tuple[Any, ...], name: str) -> dict[str, Any]:
    keys = [k for k in ("name", "jobName") if k in base and path[:1] != (k,)]
    return {**base, **dict.fromkeys(keys, name)}


def _required(shape: Shape, value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k in shape.required_members}


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(base: Any, path: tuple[Any, ...], new: Any) -> bytes:
    root = copy.deepcopy(base)
    node = _get(root, path[:-1])
    if new is ABSENT:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return json.dumps(root).encode()


def _route(service: str, op: OperationModel) -> tuple[str, dict[str, str]]:
    if service == "personalize":
        return "/", {"Content-Type": CONTROL_TYPE, "X-Amz-Target": f"AmazonPersonalize.{op.name}"}
    return op.http["requestUri"], {"Content-Type": "application/json"}


class Socket:
    """One keep-alive HTTP/1.1 connection to the served engine, reopened if it closes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        for attempt in (1, 2):
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with serve_world(tmp_path_factory.mktemp("generated") / "data", with_items=True) as built:
        yield built


def _arns(world: World) -> dict[str, str]:
    p = world.clients.personalize
    batch_input = world.data_dir / "s3" / "bucket" / "batch" / "users.json"
    batch_input.parent.mkdir(parents=True, exist_ok=True)
    batch_input.write_text('{"userId": "u1"}\n{"userId": "nobody"}\n')
    filter_arn = p.create_filter(
        name="cats",
        datasetGroupArn=world.ws["group"],
        filterExpression="EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATS)",
    )["filterArn"]
    return {
        "datasetGroupArn": world.ws["group"],
        "datasetArn": world.ws["dataset"],
        "schemaArn": world.ws["schema"],
        "datasetImportJobArn": world.ws["import_job"],
        "solutionArn": world.solution,
        "solutionVersionArn": world.version,
        "campaignArn": world.campaign,
        "filterArn": filter_arn,
        "recipeArn": "arn:aws:personalize:::recipe/aws-popularity-count",
        "resourceArn": world.ws["group"],
        "eventTrackerArn": p.list_event_trackers()["eventTrackers"][0]["eventTrackerArn"],
        "trackingId": world.tracking_id,
        "PutItems.datasetArn": world.ws["items_dataset"],
        # Created by CreateMetricAttribution's base request, before the operations that use it.
        "metricAttributionArn": f"{ACCOUNT}:metric-attribution/fuzz1",
    }


def test_generated_requests_get_no_5xx_in_process_or_over_http(fuzz_world: World) -> None:
    world = fuzz_world
    arns = _arns(world)
    rng = random.Random(SEED)
    port = int(world.endpoint.rsplit(":", 1)[1])
    sock = Socket(port)
    failures: list[str] = []
    counts = {"in-process": 0, "http": 0, "ops": 0}
    for service, op in _models():
        counts["ops"] += 1
        path, headers = _route(service, op)
        sample = variants(op, arns, rng)
        for i, variant in enumerate(sample):
            wire = dispatch(world.engine, service, op.name, variant.body)
            counts["in-process"] += 1
            reply = Reply(wire.status, {k.lower(): v for k, v in wire.headers.items()}, wire.body)
            if (why := problem(reply)) is not None:
                failures.append(f"in-process {service}.{op.name} [{variant.why}]: {why}")
            if i < OVER_HTTP:
                reply = sock.post(path, headers, variant.body)
                counts["http"] += 1
                if (why := problem(reply)) is not None:
                    failures.append(f"http {service}.{op.name} [{variant.why}]: {why}")
    assert counts["ops"] == 79, counts
    assert counts["in-process"] > 5000 and counts["http"] > 1500, counts
    assert not failures, f"{len(failures)} failures, {counts}:\n" + "\n".join(failures[:40])
