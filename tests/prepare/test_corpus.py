"""Every raw file in tests/data/raw converts to its hand-checked output, with the expected
rejects (line and reason), and nothing else."""

import pandas as pd
import pytest

from services.prepare import convert, load_mapping

from .conftest import CASES, EXPECTED, MAPPINGS, RAW, raw_file


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_corpus_is_large_enough_and_every_raw_file_has_a_mapping():
    raws = {p.name.split(".")[0] for p in RAW.iterdir() if p.is_file() and p.suffix != ".py"}
    assert raws == set(CASES)
    assert len(CASES) >= 12


@pytest.mark.parametrize("stem", CASES)
def test_raw_file_converts_to_the_expected_output(stem, tmp_path):
    mapping = load_mapping(MAPPINGS / f"{stem}.json")
    out = tmp_path / "out.csv"
    result = convert(raw_file(stem), mapping, out)
    expected = _read(EXPECTED / f"{stem}.csv")
    pd.testing.assert_frame_equal(_read(out), expected)
    rejects_file = EXPECTED / f"{stem}.rejects.csv"
    want = (
        _read(rejects_file) if rejects_file.exists() else pd.DataFrame(columns=["line", "reason"])
    )
    if len(want):
        got = _read(result.rejects_path)[["line", "reason"]]
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_index_type=False)
    else:
        assert not result.rejects_path.exists()
    assert result.rows_written == len(expected)
    assert result.rows_rejected == len(want)
    assert sum(result.rejects.values()) == len(want)
