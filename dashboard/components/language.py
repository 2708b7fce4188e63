"""The sidebar's language switch: Korean or English for every page, from the browser's locale
until the reader picks one."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec

import streamlit as st

from services.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    _,
    current_language,
    formats,
    language_for_locale,
    use_language,
)

P = ParamSpec("P")

KEY = "language"  # the session's language: plain session state, read by every run
_WIDGET = "language_switch"
QUERY = "lang"  # the URL's query parameter: ?lang=ko
# One label in both languages, never translated: a widget whose label changes is a new widget
# to Streamlit.
LABEL = N_("언어 · Language")


# Streamlit 1.67 writes "Press Enter to apply" under a text or number field, and "Press
# Ctrl+Enter to apply" (⌘+Enter on a Mac) under a text area, while typed text is not yet
# applied: literals of its frontend bundle (static/js/InputInstructions.*.js), with no locale
# and no parameter. Only a form drops them (st.form(enter_to_submit=False)), and then Enter no
# longer applies anything: every field would wait for a submit button. So in Korean the
# sidebar says which key to press, under the language switch (docs/korean.md).
KEY_HINT = N_(
    "Typed text applies when you press Enter (Ctrl+Enter in a box of several lines, ⌘+Enter "
    'on a Mac) or click outside the box. The grey "Press … to apply" under a box is '
    "Streamlit's own English."
)


def _switched() -> None:
    st.session_state[KEY] = st.session_state[_WIDGET]


def choose_language() -> str:
    """Draw the switch at the top of the sidebar and speak its language for this run.

    The first run of a session starts in the language of the URL (``?lang=ko``), else the
    browser's (``st.context.locale``: Korean for ``ko-*``, English otherwise); the choice then
    stays for the session, and every run writes it back to the URL, so a reload, a new tab or
    a link copied from the address bar keeps it (a page switch leaves the query empty). The
    choice is kept in its own session key, set by the switch's callback, so that fragment
    reruns (``in_session_language``), which do not draw the switch, read it too. In a language
    other than English, ``KEY_HINT`` under the switch says what Streamlit's English "Press …
    to apply" asks for.
    """
    if st.session_state.get(KEY) not in LANGUAGES:
        asked = st.query_params.get(QUERY)
        st.session_state[KEY] = (
            asked if asked in LANGUAGES else language_for_locale(st.context.locale)
        )
    language = st.session_state[KEY]
    if st.query_params.get(QUERY) != language:
        st.query_params[QUERY] = language
    with st.sidebar:
        st.segmented_control(
            LABEL,
            list(LANGUAGES),
            default=language,
            format_func=LANGUAGES.__getitem__,
            key=_WIDGET,
            required=True,
            on_change=_switched,
        )
    use_language(language)
    if language != DEFAULT_LANGUAGE:
        st.sidebar.caption(_(KEY_HINT))
    return str(language)


def in_session_language(body: Callable[P, None]) -> Callable[P, None]:
    """``body`` speaking the session's language: for fragments, whose reruns run only their
    function (not streamlit_app.py, which sets the language for whole-page runs)."""

    @functools.wraps(body)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        use_language(st.session_state.get(KEY, DEFAULT_LANGUAGE))
        body(*args, **kwargs)

    return run


def _upload_hint() -> str:
    """How to give a file to an uploader and the largest size, in the reader's language."""
    size = formats.megabytes(st.get_option("server.maxUploadSize"))
    return _("Drop the file on the box or press Upload to pick it; up to {size} a file.").format(
        size=size
    )


def upload_help(help_text: str | None = None) -> str:
    """The help of a file uploader: ``help_text`` (already translated), then how to give the
    file and the largest size. Streamlit 1.67 draws the uploader's own words ("Drag and drop a
    file here", "Upload", "200MB per file") in English whatever the app's language, with no
    parameter to change them (docs/korean.md), so this help says the same in the reader's
    language next to the label."""
    hint = _upload_hint()
    return f"{help_text}\n\n{hint}" if help_text else hint


def file_uploader(
    label: str,
    types: list[str],
    key: str,
    help_text: str | None = None,
    *,
    disabled: bool = False,
) -> Any:
    """``st.file_uploader`` (one file of ``types``; ``label`` and ``help_text`` already
    translated) with ``upload_help``, and, in a language other than English, a caption under
    it saying what the box's English words ask for: the help's ⓘ alone went unnoticed (trial
    s9 found them "the only English on the Korean pages"). Under the box, not above its label:
    above, it read as the caption of the field before it (trial s13b, on the Refresh tab).
    Returns what the uploader returns."""
    file = st.file_uploader(
        label,
        type=types,
        key=key,
        disabled=disabled,
        help=upload_help(help_text),
        accept_multiple_files=False,
    )
    if current_language() != DEFAULT_LANGUAGE:
        st.caption(_upload_hint())
    return file
