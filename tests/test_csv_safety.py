import csv
import io

import numpy as np
import pandas as pd
import pytest

from services.csv_safety import append_safe_csv, neutralise, to_safe_csv


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tfoo", "'\tfoo"),
        ("\rfoo", "'\rfoo"),
        ('=HYPERLINK("http://evil.test","x")', '\'=HYPERLINK("http://evil.test","x")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),  # full-width forms Excel reads as = + - @
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20x", "'\uff20x"),
        ("-", "'-"),
        ("-3.5", "-3.5"),
        ("+42", "+42"),
        ("-1e5", "-1e5"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_non_strings_unchanged():
    assert neutralise(-3.5) == -3.5
    assert neutralise(None) is None


def test_to_safe_csv_neutralises_text_and_keeps_numbers():
    df = pd.DataFrame(
        {
            "item": ["=1+2", "ok", "@x", "-3.5"],
            "score": [-3.5, 1.0, -0.25, 2.0],
            "rank": [1, -2, 3, 4],
        }
    )
    out = rows(to_safe_csv(df))
    assert out[0] == ["item", "score", "rank"]
    assert [r[0] for r in out[1:]] == ["'=1+2", "ok", "'@x", "-3.5"]
    assert [r[1] for r in out[1:]] == ["-3.5", "1.0", "-0.25", "2.0"]
    assert [r[2] for r in out[1:]] == ["1", "-2", "3", "4"]


def test_header_nan_and_categorical():
    df = pd.DataFrame({"=evil": pd.Categorical(["+x", "y"]), "n": [np.nan, 1.0]})
    df["obj"] = pd.Series([None, "=z"], dtype=object)
    out = rows(to_safe_csv(df))
    assert out[0] == ["'=evil", "n", "obj"]
    assert out[1] == ["'+x", "", ""]
    assert out[2] == ["y", "1.0", "'=z"]


def test_input_not_modified_and_bom_option():
    df = pd.DataFrame({"a": ["=x"]})
    data = to_safe_csv(df, bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert df["a"][0] == "=x"


def test_index_written_when_asked():
    df = pd.DataFrame({"a": [1]}, index=pd.Index(["=i"], name="id"))
    assert rows(to_safe_csv(df, index=True)) == [["id", "a"], ["'=i", "1"]]


def test_append_writes_the_header_once_and_neutralises_every_chunk(tmp_path):
    path = tmp_path / "out.csv"
    append_safe_csv(pd.DataFrame({"@h": ['=HYPERLINK("http://evil.test")']}), path, header=True)
    append_safe_csv(pd.DataFrame({"@h": ["@SUM(A1:A9)"]}), path, header=False)
    assert rows(path.read_bytes()) == [
        ["'@h"],
        ['\'=HYPERLINK("http://evil.test")'],
        ["'@SUM(A1:A9)"],
    ]


def test_streamlit_table_exports_are_off():
    """st.dataframe's own CSV download and copy write cells raw (no neutralisation), so the
    dashboard turns them off; its downloads go through to_safe_csv instead."""
    import tomllib
    from pathlib import Path

    from streamlit import config

    path = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    doc = tomllib.loads(path.read_text())
    assert doc["client"]["disableDataExport"] is True
    assert config.get_option("client.disableDataExport") is not None  # a real option
