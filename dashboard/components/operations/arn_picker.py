"""The one selectbox the Operations tabs pick a resource with (campaign, solution, group).

Its values are the resources' ARNs, so a choice survives resources appearing or disappearing
between reruns; the labels must be stable text for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

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
