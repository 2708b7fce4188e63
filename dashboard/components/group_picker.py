"""The dataset-group picker, the data snapshot's age and the pages' Refresh button."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import reads
from dashboard.components.formatting import exact_time, relative_time
from dashboard.components.session_group import (
    choose_group,
    chosen_group,
    open_on,
    remember_pick,
)
from dashboard.components.text import md_escape
from services.datasets.group_data import GroupData
from services.i18n import _
from services.personalize.models import DatasetGroup


def group_picker(key: str, prefer: str | None = None) -> DatasetGroup | None:
    """A dataset group selector (hidden when there is only one); None when there is none or
    the groups could not be read (the page then has already said why).

    ``prefer``: the ARN of a group a link asked for (e.g. the group of the experiment it
    names), chosen once per ARN: the reader may then choose another group."""
    groups = reads.dataset_groups()
    if groups is None:
        return None
    if not groups:
        st.info(
            _(
                "No dataset group yet: create one with its Interactions dataset and import data "
                "(see the readiness check on the Data page for the file)."
            )
        )
        return None
    if len(groups) == 1:
        return groups[0]
    names = [g.name for g in groups]
    # The session's group first (picked on another page), then a link's group once.
    open_on(key, next((g.name for g in groups if g.arn == chosen_group()), None))
    if prefer is not None and st.session_state.get(f"{key}_preferred") != prefer:
        st.session_state[f"{key}_preferred"] = prefer
        wanted = next((g.name for g in groups if g.arn == prefer), None)
        if wanted is not None:
            st.session_state[key] = wanted
            choose_group(prefer)
    chosen = st.selectbox(
        _("Dataset group"),
        names,
        key=key,
        on_change=remember_pick(key, {g.name: g.arn for g in groups}),
    )
    return groups[names.index(chosen)]


def refresh_row(data: GroupData, key: str) -> None:
    """'Snapshot taken 3 min ago' with a Refresh button that drops every cached snapshot."""
    left, right = st.columns([5, 1], vertical_alignment="center")
    taken = relative_time(data.taken) if data.taken else _("never")
    left.caption(
        _("Data snapshot taken {when} {how}; cached {minutes} min.").format(
            when=taken, how=md_escape(_(data.read_by)), minutes=reads.SNAPSHOT_TTL // 60
        ),
        help=exact_time(data.taken),
    )
    refresh_button(key, right, data=True)


def refresh_button(key: str, where: Any = st, *, data: bool) -> None:
    """A Refresh button: forgets the cached lists (and, with ``data``, the data snapshots:
    export jobs on AWS) and reruns the page with what the service says now."""
    if where.button(
        _("Refresh"),
        icon=":material/refresh:",
        key=key,
        help=_("Read the data again (export jobs on AWS) and re-read the lists")
        if data
        else _("Re-read the lists"),
    ):
        reads.invalidate(data=data)
        st.rerun()


def caption_with_refresh(text: str, key: str, *, data: bool) -> None:
    """A page's caption with its Refresh button at the right (see ``refresh_button``)."""
    header, button = st.columns([5, 1], vertical_alignment="bottom")
    header.caption(text)
    refresh_button(key, button, data=data)
