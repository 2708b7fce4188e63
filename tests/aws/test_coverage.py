"""Every AWS operation ``services/`` can call has a Stubber test in this folder.

The operations come from the code (``operations.scan``); an operation counts as tested when a
test module here names it as the first two literal arguments of a call — ``aws.respond(
"SERVICE", "METHOD", …)``, ``aws.fail("SERVICE", "METHOD", …)`` or a ``Case("SERVICE",
"METHOD", …)`` row — so the answer is shaped from the model by ``shapes``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.aws.operations import Call, methods, operations, scan, services_used

HERE = Path(__file__).resolve().parent


def stubbed(folder: Path = HERE) -> set[tuple[str, str]]:
    """(service, method) pairs that the tests in ``folder`` queue answers for."""
    services = set(services_used())
    found = set()
    for path in sorted(folder.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            service, method = node.args[0], node.args[1]
            if not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in (service, method)
            ):
                continue
            if service.value in services and method.value in methods(service.value):
                found.add((service.value, method.value))
    return found


def _advice(service: str, method: str, calls: list[Call]) -> str:
    where = ", ".join(c.where for c in calls)
    return (
        f"- {service} {calls[0].operation} (client method {method!r}), called at {where}.\n"
        f"  Add a test under tests/aws/ that runs that code against the stub, e.g.\n"
        f"      aws.respond({service!r}, {method!r}, {{<only the members your code reads>}},\n"
        f"                  expected_params={{<the exact request>}})\n"
        f"  (or a Case({service!r}, {method!r}, …) row in test_personalize_calls.py when it\n"
        f"  goes through PersonalizeService), and assert on what your code returns.\n"
        f"  Then allow {calls[0].operation} in docs/aws.md (test_iam_policies says which role)."
    )


def test_every_operation_services_call_has_a_stubbed_test() -> None:
    covered = stubbed()
    missing = [
        _advice(service, calls[0].method, calls)
        for (service, _), calls in sorted(operations().items())
        if (service, calls[0].method) not in covered
    ]
    assert not missing, (
        "These AWS operations are called from services/ but no Stubber test answers them:\n"
        + "\n".join(missing)
    )


def test_the_scan_finds_calls_by_attribute_string_and_helper(tmp_path: Path) -> None:
    # A fake services/ tree: what the scan must see, and what it must ignore.
    root = tmp_path / "services"
    (root / "local").mkdir(parents=True)
    (root / "local" / "engine.py").write_text("def f(c):\n    return c.delete_campaign()\n")
    (root / "reader.py").write_text(
        "import boto3\n"
        "def f(c, s3):\n"
        "    cw, s3 = boto3.client('cloudwatch'), boto3.client('s3')\n"
        "    cw.get_metric_data(MetricDataQueries=[])\n"
        "    c.get_paginator('list_campaigns')\n"
        "    s3.upload_file('a', 'b', 'c')\n"
        "    c.not_an_operation()\n"
    )
    found = {(c.service, c.operation, c.line) for c in scan(root)}
    assert ("cloudwatch", "GetMetricData", 4) in found
    assert ("personalize", "ListCampaigns", 5) in found
    assert ("s3", "PutObject", 6) in found
    assert ("s3", "CreateMultipartUpload", 6) in found
    assert not any(op == "DeleteCampaign" for _, op, _ in found)  # the engine is not scanned


def test_the_stub_scan_reads_literal_service_and_method(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "def test_a(aws):\n"
        "    aws.respond('personalize', 'describe_campaign', {})\n"
        "    aws.fail('s3', 'get_object', 'AccessDenied')\n"
        "    aws.respond('personalize', 'no_such_method', {})\n"
        "    aws.respond(SERVICE, 'list_campaigns', {})\n"
    )
    assert stubbed(tmp_path) == {("personalize", "describe_campaign"), ("s3", "get_object")}
