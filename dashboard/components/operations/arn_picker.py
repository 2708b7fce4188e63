"""The one selectbox the Operations tabs pick a resource with (campaign, solution, group).

Its values are the resources' ARNs, so a choice survives resources appearing or disappearing
between reruns; the labels must be stable text for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

from services.workspace.overview import DatasetGroupOverview

T = TypeVar("T")


def pick_by_arn(
    label: str,
    options: Sequence[T],
    *,
    arn: Callable[[T], str],
    name: Callable[[T], str],
    key: str,
    empty: str,
    index: int = 0,
) -> T | None:
    """The option chosen in a selectbox over ``options`` (``index`` preselected); when there
    are none, ``empty`` is shown as a note and the answer is None."""
    if not options:
        st.info(empty)
        return None
    by_arn = {arn(o): o for o in options}
    chosen = st.selectbox(
        label, list(by_arn), index=index, format_func=lambda a: name(by_arn[a]), key=key
    )
    return by_arn[chosen or arn(options[0])]


def pick_group(
    label: str,
    groups: Sequence[DatasetGroupOverview],
    *,
    key: str,
    empty: str,
    target: str | None = None,
) -> DatasetGroupOverview | None:
    """``pick_by_arn`` over dataset groups, named by their names; the group whose ARN is
    ``target`` is preselected (the first when none is)."""
    index = next((i for i, g in enumerate(groups) if target and g.group.arn == target), 0)
    return pick_by_arn(
        label,
        groups,
        arn=lambda g: g.group.arn,
        name=lambda g: g.group.name,
        key=key,
        empty=empty,
        index=index,
    )
