"""A page's tabs with the open tab in the URL (``?tab=deploy``), in either language.

A reload or a shared link opens the same tab, and an action (a button that reruns the page, a
language switch) never throws the reader back to the first tab: the tab widget keeps its state
across reruns, and the URL names the tab by a stable name, not by its translated label.
``st.tabs(bind="query-params")`` would put the shown label in the URL, which changes with the
language, so the name is kept here instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard.components.language import in_session_language
from services.i18n import _, in_every_language

TAB_PARAM = "tab"


def default_tab(labels: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The label of the tab a link asked for (``labels``: name -> English label as marked for
    the catalogue), in the reader's language; None (the first tab) for none or an unknown one,
    since the query string is typed by whoever shares the link."""
    label = labels.get(query.get(TAB_PARAM, ""))
    return _(label) if label else None


def tab_label(labels: Mapping[str, str], name: str) -> str:
    """The label of the tab ``name`` of a page's ``labels`` (name -> English label, marked with
    ``N_``) as the page shows it, in the reader's language: how a message names the tab it
    sends the reader to. Raises KeyError for a tab the page does not have."""
    return _(labels[name])


def tab_of(labels: Mapping[str, str], shown: str | None) -> str | None:
    """The name ("deploy") of a tab label as shown in either language; None for a label the
    page does not have."""
    return next((name for name, label in labels.items() if shown in in_every_language(label)), None)


def url_tabs(labels: Mapping[str, str], key: str) -> Sequence[Any]:
    """``st.tabs`` of ``labels`` (name -> English label, marked with ``N_``), shown in the
    reader's language, opened on the tab the URL names, remembered in the URL when switched.
    ``key``: the widget's state key (which tab is open, across reruns)."""

    def remember() -> None:
        name = tab_of(labels, st.session_state.get(key))
        if name:
            st.query_params[TAB_PARAM] = name

    return st.tabs(
        [_(label) for label in labels.values()],
        default=default_tab(labels, st.query_params.to_dict()),
        key=key,
        on_change=in_session_language(remember),  # a callback runs before streamlit_app.py sets it
    )


def url_radio(label: str, labels: Mapping[str, str], options: Sequence[str], key: str) -> str:
    """A horizontal ``st.radio`` that picks a page's view as a tab would: ``options`` (English
    labels marked with ``N_``, among ``labels``' values: name -> label) shown translated,
    opened on the one the URL's ``?tab=`` names (else the first), and remembered in the URL by
    its name when switched. Returns the picked option (its English label)."""
    asked = labels.get(st.query_params.get(TAB_PARAM, ""))

    def remember() -> None:
        name = next((n for n, text in labels.items() if text == st.session_state.get(key)), None)
        if name:
            st.query_params[TAB_PARAM] = name

    picked = st.radio(
        label,
        options,
        index=options.index(asked) if asked in options else 0,
        format_func=_,
        horizontal=True,
        key=key,
        on_change=in_session_language(remember),
    )
    return picked if picked is not None else options[0]
