"""One poll of a batch job a page started and keeps in the session (batch preview, segments).

The page's fragment calls ``poll_batch_job`` every ``POLL_SECONDS``: while the job runs it
says so; once it ends, the job's failure is kept, or its answer read, and the page redrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.components.errors import shown_errors
from dashboard.components.formatting import short_id
from dashboard.components.text import md_escape
from services.personalize.models import BatchInferenceJob, is_failed, is_terminal

POLL_SECONDS = 2.0


def poll_batch_job(
    state_key: str,
    answer_key: str,
    title: str,
    describe: Callable[[str], BatchInferenceJob],
    running: str,
    read: Callable[[dict[str, Any]], None],
) -> None:
    """Poll the job whose ARN ``st.session_state[state_key]["job_arn"]`` holds, unless its
    answer (``answer_key``) or failure is already there. ``running`` is the translated text
    shown meanwhile, formatted with ``job``, ``status`` and ``seconds``; ``read(state)`` stores
    the answer of an ACTIVE job (or a ``failure``). Errors are shown under ``title``."""
    state = st.session_state.get(state_key)
    if not state or state.get(answer_key) is not None or state.get("failure"):
        return
    with shown_errors(title):
        job = describe(state["job_arn"])
        if not is_terminal(job.status):
            where = {
                "job": short_id(job.arn),
                "status": job.status,
                "seconds": f"{POLL_SECONDS:.0f}",
            }
            st.info(running.format(**{k: md_escape(v) for k, v in where.items()}), icon="⏳")
            return
        if is_failed(job.status) or job.status != "ACTIVE":
            state["failure"] = job.failure_reason or job.status
        else:
            read(state)
        st.rerun()
