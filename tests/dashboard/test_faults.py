"""Every page against backend failures injected at the boto3 boundary (see ``faults.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.faults import use_aws_backend
from tests.dashboard.test_app import PAGES

TITLES = {
    "pages/overview.py": "Overview",
    "pages/data.py": "Data",
    "pages/solutions.py": "Solutions & metrics",
    "pages/recommendations.py": "Recommendations",
    "pages/operations.py": "Operations",
}


def unreachable(_service: str, _operation: str, _params: dict[str, Any], request: Any) -> Any:
    """What botocore raises when nothing answers at the endpoint (no route, DNS, VPN down)."""
    return EndpointConnectionError(endpoint_url=request.url)


@pytest.mark.parametrize("page", PAGES)
def test_no_route_to_aws_every_page_says_so(
    seeded: Seeded, page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    faulty = use_aws_backend(monkeypatch, tmp_path, unreachable)
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == TITLES[page]
    errors = [e.value for e in at.error]
    assert errors, "the page says something failed"
    assert all(
        "Cannot reach Personalize at https://personalize.us-east-1.amazonaws.com" in e
        for e in errors
    ), errors
    assert all("check the network and the region" in e for e in errors), errors
    assert any(e.startswith("Could not read the ") for e in errors), errors
    # Standard retries ran (5 attempts per call), without their sleeps.
    assert faulty.calls[:5] == [faulty.calls[0]] * 5, faulty.calls
