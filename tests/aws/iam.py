"""The IAM actions behind the AWS operations the code calls, and the policies in docs/aws.md.

Most operations need the action ``<prefix>:<Operation>``; the exceptions below come from the
Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/
reference/): S3 authorizes ListObjectsV2 as ``s3:ListBucket`` and HeadObject and the multipart
upload calls under ``s3:GetObject``/``s3:PutObject``; STS GetCallerIdentity needs no permission.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import botocore.session
from botocore.model import Shape

from tests.aws.operations import ROOT

DOC = ROOT / "docs" / "aws.md"
PREFIXES = {
    "personalize-runtime": "personalize",
    "personalize-events": "personalize",
}
SPECIAL: dict[tuple[str, str], str | None] = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
    ("sts", "GetCallerIdentity"): None,  # "No permissions are required" (STS API reference)
}
# Called with the base credentials to obtain the role, so it belongs to the caller's policy.
CALLER_ONLY = {("sts", "AssumeRole")}


def action(service: str, operation: str) -> str | None:
    """The IAM action that authorizes ``operation`` (None: no permission needed)."""
    if (service, operation) in SPECIAL:
        return SPECIAL[(service, operation)]
    return f"{PREFIXES.get(service, service)}:{operation}"


def _members(shape: Shape | None, seen: frozenset[str] = frozenset()) -> set[str]:
    if shape is None or shape.name in seen:
        return set()
    seen = seen | {shape.name}
    names: set[str] = set()
    for name, member in getattr(shape, "members", {}).items():
        names |= {name} | _members(member, seen)
    for attr in ("member", "value"):
        if hasattr(shape, attr):
            names |= _members(getattr(shape, attr), seen)
    return names


@cache
def input_members(service: str, operation: str) -> frozenset[str]:
    """Every member name anywhere in the operation's input shape."""
    model = botocore.session.get_session().get_service_model(service)
    return frozenset(_members(model.operation_model(operation).input_shape))


def passes_role(service: str, operation: str) -> bool:
    """The request hands Personalize a role (``roleArn``): the caller needs iam:PassRole."""
    return "roleArn" in input_members(service, operation)


def service_role_actions(ops: Iterable[tuple[str, str]]) -> set[str]:
    """What Personalize's own role must do in S3 for these operations: read where a request
    names a source (``dataLocation``, ``s3DataSource``), write where it names a destination."""
    needed: set[str] = set()
    for service, operation in ops:
        members = input_members(service, operation)
        if not passes_role(service, operation):
            continue
        if members & {"dataLocation", "s3DataSource"}:
            needed |= {"s3:GetObject", "s3:ListBucket"}
        if "s3DataDestination" in members:
            needed |= {"s3:PutObject", "s3:ListBucket"}
    return needed


_BLOCK = re.compile(r"<!--\s*policy:\s*([a-z-]+)\s*-->\s*```json\n(.*?)```", re.S)


def policies(doc: Path = DOC) -> dict[str, dict]:
    """The JSON policies of docs/aws.md, by the name in their ``<!-- policy: NAME -->`` mark."""
    return {name: json.loads(body) for name, body in _BLOCK.findall(doc.read_text())}


def allowed(policy: dict) -> set[str]:
    """Actions the policy's Allow statements grant (as written; wildcards are refused)."""
    granted: set[str] = set()
    for statement in policy["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        acts = statement["Action"]
        granted |= {acts} if isinstance(acts, str) else set(acts)
    return granted
