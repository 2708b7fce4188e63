"""The product card grids of a page run by AppTest, as frames (AppTest draws no custom
component: what the cards component was given is what its script draws)."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest


def grids(at: AppTest, positions: str, field: str = "image") -> list[pd.DataFrame]:
    """The product card grids (users × ``positions``: "rank" or "latest"), as what their
    component was given (AppTest draws no custom component): one frame per grid, a row per
    row label, columns ``1`` … and each cell its card's ``field`` (``image``, ``item``,
    ``name``…), None past the end of a shorter list."""
    frames = []
    for element in at.get("bidi_component"):
        data = json.loads(element.proto.json)
        columns = data["columns"]
        if not columns or columns[0] != f"{positions} 1":
            continue
        cells = [
            [c[field] for c in r["cells"]] + [None] * (len(columns) - len(r["cells"]))
            for r in data["rows"]
        ]
        index = [r["label"] for r in data["rows"]]
        frames.append(
            pd.DataFrame(cells, index=index, columns=[str(k) for k in range(1, len(columns) + 1)])
        )
    return frames
