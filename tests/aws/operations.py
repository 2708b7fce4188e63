"""Which AWS operations ``services/`` can call, read from the code (not a hand-kept list).

The scan parses every module under ``services/`` except the local engine (which answers
calls rather than making them) and keeps each name that botocore's models know as a client
method of a service the code uses:

- an attribute call (``client.put_object(...)``, ``sts.get_caller_identity()``);
- a string constant (``get_paginator("list_objects_v2")``, ``self._call(c, "describe_campaign")``,
  ``self._list("list_campaigns", …)``), because the facade names methods by string.

The services are the three Personalize clients (the product's reason to exist) plus every
``….client("NAME")`` and ``aws_client(settings, "NAME")`` literal in ``services/``. A method
name several of them share (``tag_resource``) counts for the clients its module makes, else
for the Personalize ones. boto3's
own helpers that are not operations (``upload_file`` …) map to the operations they send.
Method names go to operation names through botocore's ``xform_name``, the same mapping boto3
uses to name client methods.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = ROOT / "services"
# Folders of services/ that answer calls instead of making them (local), or that call only the
# local engine (demo: seed_demo refuses a non-local backend).
EXCLUDED = ("local", "demo")
PERSONALIZE = ("personalize", "personalize-runtime", "personalize-events")

# boto3 injects these into clients; they are not in the service model (boto3/s3/inject.py).
HELPERS: dict[str, tuple[tuple[str, str], ...]] = {
    "upload_file": (("s3", "PutObject"), ("s3", "CreateMultipartUpload"), ("s3", "UploadPart"),
                    ("s3", "CompleteMultipartUpload"), ("s3", "AbortMultipartUpload")),
    "upload_fileobj": (("s3", "PutObject"), ("s3", "CreateMultipartUpload"), ("s3", "UploadPart"),
                       ("s3", "CompleteMultipartUpload"), ("s3", "AbortMultipartUpload")),
    "download_file": (("s3", "HeadObject"), ("s3", "GetObject")),
    "download_fileobj": (("s3", "HeadObject"), ("s3", "GetObject")),
}  # fmt: skip


@dataclass(frozen=True, order=True)
class Call:
    """One place in ``services/`` that can send ``service``'s ``operation``."""

    service: str  # boto3 service name ("personalize-runtime", "s3")
    operation: str  # the model's operation name ("GetRecommendations")
    method: str  # the client method ("get_recommendations")
    path: str  # relative to the repository root
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _modules(root: Path = SERVICES_DIR) -> list[Path]:
    skip = [root / name for name in EXCLUDED]
    return sorted(p for p in root.rglob("*.py") if not any(p.is_relative_to(x) for x in skip))


def _client_literals(tree: ast.AST) -> set[str]:
    """Service names of ``….client("NAME")`` and ``aws_client(settings, "NAME")`` calls."""
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "client" and node.args:
            name = node.args[0]
        elif isinstance(node.func, ast.Name) and node.func.id == "aws_client" and node.args[1:]:
            name = node.args[1]
        else:
            continue
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            names.add(name.value)
    return names


# The facade's helpers build Describe<Member> and List<Member>s from the member's name
# (services/personalize/calls.py): ``self._describe("batchInferenceJob", ...)`` calls
# describe_batch_inference_job.
_MEMBER_VERBS = {"_describe": ("Describe", ""), "_list_of": ("List", "s")}


def _names(tree: ast.AST) -> Iterable[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node.func.attr, node.lineno
            verb = _MEMBER_VERBS.get(node.func.attr)
            first = node.args[0] if node.args else None
            if verb and isinstance(first, ast.Constant) and isinstance(first.value, str):
                member = first.value
                yield xform_name(f"{verb[0]}{member[:1].upper()}{member[1:]}{verb[1]}"), node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


@cache
def methods(service: str) -> dict[str, str]:
    """Client method name → operation name, from botocore's model of ``service``."""
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


def services_used(modules: Iterable[Path] | None = None) -> tuple[str, ...]:
    """The Personalize clients plus every client name literal in ``services/``."""
    found = set(PERSONALIZE)
    for path in modules if modules is not None else _modules():
        found |= _client_literals(ast.parse(path.read_text(), str(path)))
    return tuple(sorted(found))


def scan(root: Path = SERVICES_DIR) -> list[Call]:
    """Every (service, operation) the code under ``root`` can call, with where it does
    (paths relative to ``root``'s parent, the repository)."""
    modules = _modules(root)
    services = services_used(modules)
    calls: set[Call] = set()
    for path in modules:
        rel = path.relative_to(root.parent).as_posix()
        tree = ast.parse(path.read_text(), str(path))
        own = _client_literals(tree)
        for name, line in _names(tree):
            for service, operation in HELPERS.get(name, ()):
                if service in services:
                    calls.add(Call(service, operation, name, rel, line))
            for service in _owners(name, services, own):
                calls.add(Call(service, methods(service)[name], name, rel, line))
    return sorted(calls)


def _owners(name: str, services: Iterable[str], own: set[str]) -> list[str]:
    """The services whose client method ``name`` may be. A name several clients share
    (``tag_resource``: Personalize and CloudWatch) is the clients' the module makes itself
    (its ``client("NAME")`` literals), or else the Personalize clients', which reach a module
    as arguments."""
    found = [service for service in services if name in methods(service)]
    if len(found) < 2:
        return found
    return [s for s in found if s in own] or [s for s in found if s in PERSONALIZE]


def operations(calls: Iterable[Call] | None = None) -> dict[tuple[str, str], list[Call]]:
    """(service, operation) → the places that call it."""
    table: dict[tuple[str, str], list[Call]] = {}
    for call in scan() if calls is None else calls:
        table.setdefault((call.service, call.operation), []).append(call)
    return table


READ_PREFIXES = ("Describe", "List", "Get", "Head")


def is_read_only(operation: str) -> bool:
    """Describe*/List*/Get*/Head* change nothing (AWS's own naming rule for read actions)."""
    return operation.startswith(READ_PREFIXES)
