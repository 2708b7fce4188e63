"""A page never shows a traceback: backend errors become a readable message."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from services.errors import ServiceError

_log = logging.getLogger(__name__)


@contextmanager
def shown_errors(what: str = "") -> Iterator[None]:
    """Run a block; a ServiceError (not found, in use, denied, throttled…) becomes st.error.

    Only service errors are caught: anything else is a bug and should surface in tests.
    """
    try:
        yield
    except ServiceError as err:
        prefix = f"{what}: " if what else ""
        st.error(f"{prefix}{err}", icon=":material/warning:")
