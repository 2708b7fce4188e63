"""The one selectbox the Operations tabs pick a resource with (campaign, solution, group).

Its values are the resources' ARNs, so a choice survives resources appearing or disappearing
between reruns; the labels must be stable text for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

from services.personalize.models import names_resource
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
    target: str | None = None,
    index: int = 0,
) -> T | None:
    """The option chosen in a selectbox over ``options``; when there are none, ``empty`` is
    shown as a note and the answer is None. Preselected is the first option that ``target``
    (an ARN from a link) names, itself or a resource under it (``names_resource``: a
    version's ARN names its solution), else the one at ``index``."""
    if not options:
        st.info(empty)
        return None
    if target:
        index = next((i for i, o in enumerate(options) if names_resource(target, arn(o))), index)
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
    """``pick_by_arn`` over dataset groups, named by their names (``target`` preselects as
    there; the first group otherwise)."""
    return pick_by_arn(
        label,
        groups,
        arn=lambda g: g.group.arn,
        name=lambda g: g.group.name,
        key=key,
        empty=empty,
        target=target,
    )
