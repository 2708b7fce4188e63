"""No request member is accepted and ignored: a walk over botocore's input shapes.

For every operation the engine implements (personalize, personalize-runtime,
personalize-events), every member of its input shape at any depth must be read or refused by
the engine's code. *Read* is checked in the source: the member's name appears in
``services/local`` as a string the code uses (a key it subscripts, ``get``s, tests with ``in``,
passes on or lists), not only in a docstring, an f-string or an error message, and so does the
name of every member above it (``hpoConfig.hpoObjective`` counts only if ``hpoObjective`` is
read, whatever other structure has a member called ``type``). Members that are *refused as a
whole* (their children are never read) are declared in ``REFUSED`` with a request that carries
them, and the test sends each one to check it really is refused (InvalidInputException) and
changes nothing.

The walk can fail: a member added to botocore's model, or a read removed from the engine, shows
up in ``unread``; ``test_the_walk_finds_a_member_nobody_reads`` checks the walker itself flags a
member with a name the engine never uses.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape

from services.local.wire.operations import operations
from tests.local.refusals import World, refused

ENGINE = Path(__file__).resolve().parents[2] / "services" / "local"
ROLE = "arn:aws:iam::000000000000:role/x"


def _refused_requests(w: World) -> dict[tuple[str, str], Callable[[], Any]]:
    """Members refused as a whole → a request carrying one (everything else valid)."""
    p = w.clients.personalize

    def solution(config: dict[str, Any]) -> Callable[[], Any]:
        return lambda: p.create_solution(
            name="walk",
            datasetGroupArn=w.ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-user-personalization",
            performHPO=True,
            solutionConfig=config,
        )

    return {
        ("CreateSolution", "solutionConfig.hpoConfig.hpoObjective"): solution(
            {"hpoConfig": {"hpoObjective": {"type": "Maximize", "metricRegex": "x"}}}
        ),
        ("CreateBatchInferenceJob", "themeGenerationConfig"): lambda: p.create_batch_inference_job(
            jobName="walk",
            solutionVersionArn=w.version,
            roleArn=ROLE,
            jobInput={"s3DataSource": {"path": "s3://bucket/in.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://bucket/walk/"}},
            themeGenerationConfig={"fieldsForThemeGeneration": {"itemName": "TITLE"}},
        ),
    }


REFUSED = {
    ("CreateSolution", "solutionConfig.hpoConfig.hpoObjective"),
    ("CreateBatchInferenceJob", "themeGenerationConfig"),
}


def _members(shape: Shape, path: str = "", seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Dotted paths of every structure member under ``shape`` (lists and maps looked through)."""
    if shape.type_name == "structure":
        if shape.name in seen:
            return
        for name, member in shape.members.items():
            where = f"{path}.{name}" if path else name
            yield where
            yield from _members(member, where, seen | {shape.name})
    elif shape.type_name == "list":
        yield from _members(shape.member, path, seen)
    elif shape.type_name == "map":
        yield from _members(shape.value, path, seen)


def _used_strings(source: str) -> set[str]:
    """String constants the code uses: not docstrings, f-string parts or raised messages."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skip.add(id(body[0].value))
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Raise) and node.exc):
            skip.update(id(n) for n in ast.walk(node))
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
    }


@cache
def engine_strings() -> frozenset[str]:
    found: set[str] = set()
    for path in ENGINE.rglob("*.py"):
        found |= _used_strings(path.read_text(encoding="utf-8"))
    return frozenset(found)


def unread(
    members: dict[tuple[str, str], list[str]], strings: frozenset[str]
) -> list[tuple[str, str]]:
    """(operation, member path) pairs neither read (with every member above them) nor
    declared refused as a whole (nor under such a member)."""
    out = []
    for op, paths in members.items():
        for path in paths:
            parts = path.split(".")
            prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
            if any((op, p) in REFUSED for p in prefixes):
                continue
            if not all(part in strings for part in parts):
                out.append((op, path))
    return out


def implemented_members() -> dict[tuple[str, str], list[str]]:
    session = botocore.session.get_session()
    out: dict[tuple[str, str], list[str]] = {}
    for service, name in sorted(operations()):
        shape = session.get_service_model(service).operation_model(name).input_shape
        out[(service, name)] = list(_members(shape)) if shape is not None else []
    return out


def test_every_member_of_every_implemented_request_is_read_or_refused() -> None:
    by_op = {name: paths for (_, name), paths in implemented_members().items()}
    missing = unread(by_op, engine_strings())
    total = sum(len(p) for p in by_op.values())
    print(f"{len(by_op)} operations, {total} members, {len(missing)} unread")  # noqa: T201
    assert not missing, "accepted and ignored (read them or refuse them):\n" + "\n".join(
        f"  {op}: {path}" for op, path in missing
    )


def test_the_walk_finds_a_member_nobody_reads() -> None:
    """The walker flags a member whose name the engine never uses, and a known name under a
    parent it never reads."""
    strings = engine_strings()
    assert "zzNobodyReadsThis" not in strings
    fake = {
        "PutEvents": ["trackingId", "zzNobodyReadsThis"],
        "CreateSolution": ["solutionConfig.zzNobodyReadsThis.eventType"],
    }
    assert unread(fake, strings) == [
        ("PutEvents", "zzNobodyReadsThis"),
        ("CreateSolution", "solutionConfig.zzNobodyReadsThis.eventType"),
    ]


@pytest.mark.parametrize("member", sorted(REFUSED))
def test_members_declared_refused_are_refused(world: World, member: tuple[str, str]) -> None:
    requests = _refused_requests(world)
    assert set(requests) == REFUSED
    call = requests[member]
    refused(world, "InvalidInputException", call, member[1].rsplit(".", 1)[-1])
