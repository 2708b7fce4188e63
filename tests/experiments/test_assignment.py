"""The split rule, checked against coreutils' sha256sum (an independent SHA-256) and against
the test vectors docs/experiments.md gives for other languages."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from services.experiments.assignment import BUCKETS, assign, bucket, check_split

DOC = Path(__file__).resolve().parents[2] / "docs" / "experiments.md"
SPLIT = [("A", 5_000), ("B", 5_000)]


def _doc_vectors() -> list[tuple[str, str, int, str]]:
    """The doc's table rows: experiment, user, bucket, arm of a 50/50 A/B split."""
    rows = re.findall(
        r"^\| `([^`]+)` \| `([^`]*)` \| ([0-9,]+) \| (\w+) \|$", DOC.read_text(), re.M
    )
    return [(e, u, int(b.replace(",", "")), arm) for e, u, b, arm in rows]


def test_the_doc_has_test_vectors_and_they_hold() -> None:
    vectors = _doc_vectors()
    assert len(vectors) >= 4
    assert any(not u.isascii() for _, u, _, _ in vectors)  # a Hangul user ID among them
    for experiment, user, expected_bucket, arm in vectors:
        assert bucket(experiment, user) == expected_bucket
        assert assign(experiment, user, SPLIT) == arm


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils' sha256sum is absent")
def test_bucket_matches_coreutils_sha256sum() -> None:
    for key in ("summer-recs:user-1", "summer-recs:김민준", "homepage:42", "x:"):
        experiment, user = key.split(":", 1)
        digest = subprocess.run(
            ["sha256sum"], input=key.encode("utf-8"), capture_output=True, check=True
        ).stdout.split()[0]
        assert bucket(experiment, user) == int(digest[:16], 16) % BUCKETS


def test_hand_checked_vectors() -> None:
    # printf '%s' 'summer-recs:user-1' | sha256sum -> 472a4a2472e45809...; 0x472a4a2472e45809
    # = 5127992646121576457, mod 10,000 = 6457 (computed with bc).
    assert bucket("summer-recs", "user-1") == 6457
    assert bucket("summer-recs", "user-3") == 811
    assert assign("summer-recs", "user-1", SPLIT) == "B"
    assert assign("summer-recs", "user-3", SPLIT) == "A"
    # cumulative weights: A takes 0..899, B 900..9,999
    assert assign("summer-recs", "user-3", [("A", 900), ("B", 9_100)]) == "A"
    assert assign("summer-recs", "user-3", [("A", 800), ("B", 9_200)]) == "B"


def test_split_follows_the_weights_and_experiments_are_independent() -> None:
    users = [f"user-{i}" for i in range(20_000)]
    arms = [("A", 2_000), ("B", 3_000), ("C", 5_000)]
    counts = Counter(assign("exp-1", u, arms) for u in users)
    for name, weight in arms:
        expected = len(users) * weight / BUCKETS
        assert abs(counts[name] - expected) < 4 * (expected * (1 - weight / BUCKETS)) ** 0.5
    # another experiment re-splits: being in B of exp-1 says nothing about exp-2
    in_b = [u for u in users if assign("exp-1", u, SPLIT) == "B"]
    share = sum(assign("exp-2", u, SPLIT) == "B" for u in in_b) / len(in_b)
    assert 0.47 < share < 0.53


@pytest.mark.parametrize(
    ("arms", "message"),
    [
        ([("A", 10_000)], "at least two arms"),
        ([("A", 5_000), ("A", 5_000)], "differ"),
        ([("A", 5_000), (" ", 5_000)], "needs a name"),
        ([("A", 5_000), ("B", 4_000)], "add up to 9,000"),
        ([("A", 10_000), ("B", 0)], "positive whole number"),
        ([("A", 5_000.0), ("B", 5_000)], "positive whole number"),
    ],
)
def test_bad_splits_are_refused(arms: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_split(arms)
    with pytest.raises(ValueError, match=message):
        assign("e", "u", arms)
