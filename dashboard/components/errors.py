"""A page never shows a traceback: backend errors become a readable message.

``show_failure`` is the one place a ``ServiceError`` is drawn; failed reads
(``dashboard.reads``) and failed actions (``shown_errors``) both go through it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.components.text import md_escape
from services.errors import ServiceError

_log = logging.getLogger(__name__)


def failure_message(what: str, err: ServiceError) -> str:
    """``"<what>: <what happened and what to do>"``; the service message already says what to
    do (refresh, check the network, ask for a permission…)."""
    return f"{what}: {err}" if what else str(err)


def show_failure(what: str, err: ServiceError) -> None:
    """Draw a failed read or action where it happened, and log it with its AWS code."""
    _log.warning("%s: %s (%s, %s)", what or "failed", err.message, err.operation, err.code)
    # The message quotes names, IDs and cells the service was given: text, not markdown.
    st.error(md_escape(failure_message(what, err)), icon=":material/warning:")


@contextmanager
def shown_errors(what: str = "") -> Iterator[None]:
    """Run a block; a ServiceError (not found, in use, denied, throttled…) becomes st.error.

    Only service errors are caught: anything else is a bug and should surface in tests.
    """
    try:
        yield
    except ServiceError as err:
        show_failure(what, err)
