"""The self-updating panels read one shared snapshot per interval, however many tabs poll."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from dashboard import reads


class CountingService:
    """A workspace with no dataset group, counting how often it is listed (the overview's
    first read)."""

    def __init__(self) -> None:
        self.calls = 0

    def list_dataset_groups(self) -> list:
        self.calls += 1
        return []


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingService]:
    service = CountingService()
    monkeypatch.setattr("dashboard.deps.service", lambda: service)
    st.cache_data.clear()
    yield service
    st.cache_data.clear()


def test_many_polls_within_the_interval_read_the_workspace_once(
    counting: CountingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(10):  # ten tabs polling within the same two seconds
        assert reads.live_overview() == []
    assert counting.calls == 1
    reads.invalidate()  # an action: the next poll reads again
    reads.live_overview()
    assert counting.calls == 2
