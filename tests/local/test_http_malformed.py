"""The HTTP endpoint against malformed requests: every one gets a 4xx AWS-shaped error, none a
500, and the server stays up.

A bounded fuzz: for each of the 79 operations of the three services, ``PER_OPERATION``
requests made by mutating a request built from the operation's input shape (bytes cut or
flipped, invalid UTF-8, values swapped for nasty ones, members added or dropped, wrong
headers, oversized bodies), sent in-process to the Starlette app; then a few of the nastiest
over a real loopback socket to ``python -m services.local serve``.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel, Shape

from services.config import Settings
from services.local.engine import LocalEngine
from services.local.wire.body import MAX_BODY_BYTES, MAX_DEPTH
from services.local.wire.server import create_app
from services.personalize.clients import build_clients
from tests.local.asgi import Reply, send
from tests.local.server import EngineServer

SERVICES = ("personalize", "personalize-runtime", "personalize-events")
PER_OPERATION = 300
CONTROL_TYPE = "application/x-amz-json-1.1"
ARN = "arn:aws:personalize:us-east-1:000000000000:dataset-group/fuzz"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | list[bytes]
    why: str  # the mutation, for the failure report


def operations() -> Iterator[tuple[str, OperationModel]]:
    session = botocore.session.get_session()
    for name in SERVICES:
        model = session.get_service_model(name)
        for op in model.operation_names:
            yield name, model.operation_model(op)


def example(shape: Shape | None, name: str = "", depth: int = 0) -> Any:
    """A plausible value for a shape: required members only, short strings."""
    if shape is None or depth > 6:
        return None
    kind = shape.type_name
    if kind == "structure":
        return {m: example(shape.members[m], m, depth + 1) for m in shape.required_members}
    if kind == "list":
        return [example(shape.member, name, depth + 1)]
    if kind == "map":
        return {"k": example(shape.value, name, depth + 1)}
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 0.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return 1_700_000_000
    if kind == "blob":
        return "eA=="
    return ARN if name.lower().endswith("arn") else "fuzz"


def route(service: str, op: OperationModel) -> tuple[str, list[tuple[str, str]]]:
    if service == "personalize":
        target = ("X-Amz-Target", f"AmazonPersonalize.{op.name}")
        return "/", [("Content-Type", CONTROL_TYPE), target]
    return op.http["requestUri"], [("Content-Type", "application/json")]


# Values that no input member accepts, as JSON text (some are not expressible by json.dumps).
NASTY = [
    "1e400",
    "-1e400",
    "9" * 400,
    "-" + "9" * 30,
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    '"' + "x" * 70_000 + '"',
    '"\\ud800"',
    '"\\u0000"',
    "[" * (MAX_DEPTH + 8) + "]" * (MAX_DEPTH + 8),
    "[" * 5000,
    '{"a":' * 40 + "1" + "}" * 40,
    "0.000000000000000000000000000000000000000001",
    str(2**63),
    "-0",
    '"2019-13-45T25:61:61Z"',
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _swap(params: dict[str, Any], path: tuple[Any, ...], text: str) -> bytes:
    marker = "\u2603MARK\u2603"
    copy = json.loads(json.dumps(params))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = marker
    return json.dumps(copy).replace(json.dumps(marker), text).encode()


def mutations(rng: random.Random, service: str, op: OperationModel) -> list[Callable[[], Request]]:
    path, headers = route(service, op)
    params = example(op.input_shape) or {}
    body = json.dumps(params).encode()
    paths = _paths(params)

    def req(
        why: str, data: bytes | list[bytes], hdrs: list[tuple[str, str]] | None = None
    ) -> Request:
        return Request("POST", path, hdrs if hdrs is not None else headers, data, why)

    def cut() -> Request:
        return req("truncated", body[: rng.randrange(max(1, len(body)))])

    def flip() -> Request:
        i = rng.randrange(len(body))
        return req("byte flipped", body[:i] + bytes([rng.randrange(256)]) + body[i + 1 :])

    def bad_utf8() -> Request:
        i = rng.randrange(len(body) + 1)
        return req(
            "invalid UTF-8", body[:i] + rng.choice([b"\xff", b"\xc3(", b"\xed\xa0\x80"]) + body[i:]
        )

    def nasty_value() -> Request:
        text = rng.choice(NASTY)
        if not paths:
            return req(f"member = {text[:30]}", f'{{"zz": {text}}}'.encode())
        at = rng.choice(paths)
        return req(f"{at} = {text[:30]}", _swap(params, at, text))

    def extra_member() -> Request:
        return req("unknown member", json.dumps({**params, "zzUnknown": 1}).encode())

    def missing_member() -> Request:
        if not params:
            return req("empty object", b"{}")
        drop = rng.choice(list(params))
        return req(
            f"no {drop}", json.dumps({k: v for k, v in params.items() if k != drop}).encode()
        )

    def not_object() -> Request:
        return req("not an object", rng.choice([b"[]", b"1", b"null", b'"s"', b"true", b"[{}]"]))

    def garbage() -> Request:
        return req("random bytes", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))

    def wrong_headers() -> Request:
        choices = [
            [(k, "text/plain" if k == "Content-Type" else v) for k, v in headers],
            [(k, v) for k, v in headers if k != "Content-Type"],
            [("Content-Type", CONTROL_TYPE), ("X-Amz-Target", f"AmazonPersonalize.{op.name}x")],
            [("Content-Type", CONTROL_TYPE), ("X-Amz-Target", op.name)],
            [("Content-Type", CONTROL_TYPE)],
            [("Content-Type", "application/json; charset=utf-8"), ("X-Amz-Target", "")],
        ]
        return req("headers", body, rng.choice(choices))

    def lying_length() -> Request:
        hdrs = [*headers, ("Content-Length", str(rng.choice([MAX_BODY_BYTES + 1, 10**10, -5])))]
        return req("Content-Length", body, hdrs)

    def oversized() -> Request:
        chunk = b" " * 65_536
        return req(
            "streamed over the limit", [body, *([chunk] * (MAX_BODY_BYTES // len(chunk) + 1))]
        )

    def duplicate_keys() -> Request:
        inner = body[1:-1]
        return req("duplicate keys", b"{" + inner + (b"," if inner else b"") + inner + b"}")

    def wrong_method() -> Request:
        return Request(rng.choice(["GET", "PUT", "DELETE"]), path, headers, body, "method")

    common = [cut, flip, bad_utf8, nasty_value, nasty_value, nasty_value, extra_member]
    common += [missing_member, not_object, garbage, wrong_headers, lying_length, duplicate_keys]
    return common + [wrong_method] + ([oversized] if rng.random() < 0.5 else [])


def problem(reply: Reply) -> str | None:
    """What is wrong with an answer to a malformed request, if anything."""
    if reply.status >= 500:
        return f"HTTP {reply.status}: {reply.body[:200]!r}"
    if reply.status < 400:
        return None  # the mutation happened to be a valid request
    try:
        data = json.loads(reply.body)
    except ValueError:
        return f"HTTP {reply.status} body is not JSON: {reply.body[:100]!r}"
    if not isinstance(data, dict) or not data.get("__type") or "message" not in data:
        return f"HTTP {reply.status} is not AWS-shaped: {reply.body[:100]!r}"
    if reply.headers.get("x-amzn-errortype") != data["__type"]:
        return f"x-amzn-ErrorType {reply.headers.get('x-amzn-errortype')!r} ≠ {data['__type']!r}"
    return None


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[LocalEngine]:
    eng = LocalEngine(
        Settings(data_dir=tmp_path / "data", worker_mode="thread", lifecycle_seconds=0)
    )
    yield eng
    eng.close()


def test_fuzzed_requests_get_4xx_aws_errors_never_500(engine: LocalEngine) -> None:
    app = create_app(engine)
    rng = random.Random(14)
    sent = 0
    failures: list[str] = []

    async def run() -> None:
        nonlocal sent
        for service, op in operations():
            makers = mutations(rng, service, op)
            for i in range(PER_OPERATION):
                request = makers[i % len(makers)]()
                reply = await send(app, request.method, request.path, request.headers, request.body)
                sent += 1
                if (why := problem(reply)) is not None:
                    failures.append(f"{service}.{op.name} [{request.why}]: {why}")
        ok = await send(
            app,
            "POST",
            "/",
            [
                ("Content-Type", CONTROL_TYPE),
                ("X-Amz-Target", "AmazonPersonalize.ListDatasetGroups"),
            ],
            b"{}",
        )
        assert ok.status == 200, ok.body

    # Its own thread and event loop: a browser test may have left one running in this thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    assert sent == 79 * PER_OPERATION  # 23,700 requests
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:20])


# --- over a real socket ---------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EngineServer]:
    srv = EngineServer(
        tmp_path / "data",
        PERSONALIZE_LOCAL_WORKER="thread",
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0",
    ).start()
    yield srv
    srv.stop()


def _post(server: EngineServer, headers: dict[str, str], body: bytes, path: str = "/") -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def _raw(server: EngineServer, data: bytes) -> bytes:
    """Bytes in, the first bytes of the answer out (for requests http.client will not send)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before it has read everything
        return sock.recv(4096)


def test_malformed_requests_over_a_socket_and_the_server_stays_up(server: EngineServer) -> None:
    target = {"Content-Type": CONTROL_TYPE, "X-Amz-Target": "AmazonPersonalize.ListDatasetGroups"}
    cases = {
        "deeply nested": b'{"nextToken":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "number too large for a double": b'{"maxResults": 1e400}',
        "integer too large for a long": b'{"maxResults": ' + b"9" * 5000 + b"}",
        "invalid UTF-8": b'{"nextToken": "\xff\xfe"}',
        "not an object": b"[1, 2]",
        "trailing garbage": b"{} {}",
    }
    for why, body in cases.items():
        reply = _post(server, target, body)
        assert reply.status == 400 and problem(reply) is None, (why, reply)
        assert json.loads(reply.body)["__type"] == "SerializationException", why
    assert _post(server, {**target, "Content-Type": "text/plain"}, b"{}").status == 415
    assert _post(server, {"Content-Type": CONTROL_TYPE}, b"{}").status == 400
    unknown = _post(server, {**target, "X-Amz-Target": "AmazonPersonalize.Nope"}, b"{}")
    assert json.loads(unknown.body)["__type"] == "UnknownOperationException"

    # Over the limit: refused from the Content-Length alone (no body is ever sent) …
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {CONTROL_TYPE}\r\n"
        f"X-Amz-Target: AmazonPersonalize.ListDatasetGroups\r\n"
        f"Content-Length: {50 * MAX_BODY_BYTES}\r\n\r\n"
    ).encode()
    assert _raw(server, head).startswith(b"HTTP/1.1 413 ")
    # … and while streaming, when a chunked body passes it.
    chunk = b" " * 65_536
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    head = head.replace(
        f"Content-Length: {50 * MAX_BODY_BYTES}".encode(), b"Transfer-Encoding: chunked"
    )
    answer = _raw(server, head + chunked)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"RequestEntityTooLargeException" in answer
    # Not HTTP at all: the HTTP layer answers 400 and the server carries on.
    assert _raw(server, b"\x16\x03\x01 not http\r\n\r\n").startswith(b"HTTP/1.1 400")

    assert server.proc is not None and server.proc.poll() is None
    clients = build_clients(Settings(endpoint_url=server.url, data_dir=server.data_dir))
    assert clients.personalize.list_dataset_groups()["datasetGroups"] == []
