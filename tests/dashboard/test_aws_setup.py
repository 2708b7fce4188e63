"""Every page in AWS mode with a configuration that cannot work (a missing profile, a role STS
refuses, no network, an expired token): the page renders, shows the one line that names the
setting through its error component, and never a traceback or another service's name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import streamlit as st

from tests.aws.setup_faults import Setup, set_up
from tests.dashboard.conftest import app_at
from tests.dashboard.rendered import shown

PAGES = [
    None,  # the Overview, where the app opens
    "dashboard/pages/data.py",
    "dashboard/pages/solutions.py",
    "dashboard/pages/recommendations.py",
    "dashboard/pages/operations.py",
]
SHOWN = ("error", "warning", "info", "caption", "markdown", "exception")


@pytest.fixture
def faulty(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Setup]:
    st.cache_data.clear()
    st.cache_resource.clear()  # the settings are read once per process
    with ExitStack() as stack:
        yield set_up(request.param, monkeypatch, tmp_path / "aws", stack)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page_path", PAGES)
@pytest.mark.parametrize(
    "faulty",
    ["missing profile", "profile role refused", "dashboard role refused", "no network"],
    indirect=True,
)
def test_every_page_shows_the_one_line(faulty: Setup, page_path: str | None) -> None:
    at = app_at(page_path)
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(e.value) for e in at.error]  # as a reader sees the escaped text
    assert errors, "the page says what is wrong"
    # Each failed read names what it could not read, then the one line.
    for message in errors:
        assert message.startswith("Could not read "), message
        assert message.endswith(f": {faulty.says}"), message
    texts = [str(e.value) for kind in SHOWN for e in getattr(at, kind)]
    texts += [str(e.value) for kind in SHOWN for e in getattr(at.sidebar, kind)]
    for text in texts:
        assert "Traceback" not in text and "botocore" not in text, text
        if shown(text) in errors:
            assert "\n" not in text, text
