"""The one selectbox the Operations tabs pick a resource with (campaign, solution, group).

Its values are the resources' ARNs, so a choice survives resources appearing or disappearing
between reruns; the labels must be stable text for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

from dashboard.components.session_group import SESSION_GROUP
from services.personalize.models import names_resource
from services.workspace.overview import DatasetGroupOverview

T = TypeVar("T")
GROUP_KEY = SESSION_GROUP  # the ARN of the group last picked in any tab or page
LINKED_KEY = "ops_group_link"  # the link target that last picked it (a link picks once)


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
    on_change: Callable[[], None] | None = None,
) -> T | None:
    """The option chosen in a selectbox over ``options``; when there are none, ``empty`` is
    shown as a note and the answer is None. Preselected is the first option that ``target``
    (an ARN from a link) names, itself or a resource under it (``names_resource``: a
    version's ARN names its solution), else the one at ``index``. ``on_change``: the
    selectbox's callback, run before the page when the reader picks another option."""
    if not options:
        st.info(empty)
        return None
    if target:
        index = next((i for i, o in enumerate(options) if names_resource(target, arn(o))), index)
    by_arn = {arn(o): o for o in options}
    chosen = st.selectbox(
        label,
        list(by_arn),
        index=index,
        format_func=lambda a: name(by_arn[a]),
        key=key,
        on_change=on_change,
    )
    return by_arn[chosen or arn(options[0])]


def follow_link(target: str | None, groups: Sequence[DatasetGroupOverview]) -> None:
    """Let a link's ``target`` (an ARN from ``?target=``) that names one of ``groups`` pick
    that group for every tab's ``pick_group``, once per target: the reader may then pick
    another. Called by the page before its tabs draw, whichever tab the link opens."""
    linked = next(
        (g.group.arn for g in groups if target and names_resource(target, g.group.arn)), None
    )
    if linked and st.session_state.get(LINKED_KEY) != target:
        st.session_state[LINKED_KEY] = target
        st.session_state[GROUP_KEY] = linked


def pick_group(
    label: str,
    groups: Sequence[DatasetGroupOverview],
    *,
    key: str,
    empty: str,
    target: str | None = None,
) -> DatasetGroupOverview | None:
    """``pick_by_arn`` over dataset groups, named by their names (``target`` preselects as
    there; the first group otherwise). The group is one choice per session: each tab's
    selectbox (``key``) opens on the group last picked in any of them (``GROUP_KEY``), so
    a group chosen in New campaign is the group of New solution and Refresh too (trial s13b
    found New solution still on the other group); ``follow_link`` makes a link's group that
    pick."""
    chosen = st.session_state.get(GROUP_KEY)
    if chosen in {g.group.arn for g in groups} and st.session_state.get(key) != chosen:
        st.session_state[key] = chosen
        target = None  # the session's choice decides, not the link's preselection

    def remember() -> None:
        st.session_state[GROUP_KEY] = st.session_state.get(key)

    return pick_by_arn(
        label,
        groups,
        arn=lambda g: g.group.arn,
        name=lambda g: g.group.name,
        key=key,
        empty=empty,
        target=target,
        on_change=remember,
    )
