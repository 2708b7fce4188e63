"""The mapping editor's metadata table names its columns in the reader's language (trial s13
finding 14: "field / column / type / split" in Korean mode, beside a Korean event table); the
rows are still read back by their stable English keys."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from dashboard.components.data.mapping import edit
    from services.i18n import use_language
    from services.prepare import parse_mapping

    use_language(st.session_state["language"])
    doc = {
        "version": 1,
        "dataset_type": "items",
        "fields": [
            {"name": "ITEM_ID", "column": "상품코드"},
            {"name": "IMAGE_URL", "column": "IMAGE_URL", "type": "string"},
            {"name": "CATEGORY", "column": "카테고리", "type": "categorical", "split": "/"},
        ],
    }
    st.session_state["edited"] = edit(parse_mapping(doc), ("상품코드", "카테고리", "IMAGE_URL"))


@pytest.mark.parametrize(
    ("language", "headers"),
    [("en", ["field", "column", "type", "split"]), ("ko", ["필드", "열", "유형", "구분 문자"])],
)
def test_metadata_columns_are_named_in_the_readers_language(
    language: str, headers: list[str]
) -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["language"] = language
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (editor,) = [d for d in at.dataframe if "split" in d.proto.columns]
    config = json.loads(editor.proto.columns)
    assert [config[k]["label"] for k in ("field", "column", "type", "split")] == headers
    edited = at.session_state["edited"]
    assert edited is not None
    # the rows, read back by their keys, are the mapping's: the URL kept whole
    assert edited.get("IMAGE_URL").type == "string" and edited.get("IMAGE_URL").split is None
    assert edited.get("CATEGORY").split == "/"
