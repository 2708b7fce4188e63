"""The demo's end-of-wait line reads as a sentence: labels of different kinds joined as a
list ("a, b and c are ACTIVE"), not run together ("update of campaign x, y version, ...")."""

from __future__ import annotations

import re

import pytest

from services.demo import waiting


def test_active_line_lists_the_labels_as_a_sentence() -> None:
    labels = [
        "the update of campaign demo-popularity",
        "the new version of demo-similar-items",
        "the new version of demo-ranking",
    ]
    assert waiting.active_line(labels, 2.1) == (
        "the update of campaign demo-popularity, the new version of demo-similar-items "
        "and the new version of demo-ranking are ACTIVE (2.1s)"
    )
    assert waiting.active_line(["version 2 of demo-popularity"], 0.04) == (
        "version 2 of demo-popularity is ACTIVE (0.0s)"
    )


def test_a_wait_ends_with_that_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    active = lambda: {"status": "ACTIVE"}  # noqa: E731
    waiting.wait(
        waiting.Clock(), ("the update of campaign c", active), ("the new version of s", active)
    )
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(
        r"\[ *[\d.]+s\] the update of campaign c and the new version of s are ACTIVE \([\d.]+s\)",
        line,
    ), line
