"""Following a batch job a page started and keeps in the session (batch preview, segments).

``follow_batch_job`` gives the page the job's answer once there is one; until then it shows
the job's failure, or runs the page's fragment, which calls ``poll_batch_job`` every
``POLL_SECONDS``: while the job runs it says so; once it ends, the job's failure is kept, or
its answer read, and the page redrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.components.errors import shown_errors
from dashboard.components.formatting import short_id
from dashboard.components.language import in_session_language
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


def follow_batch_job(
    state: dict[str, Any], answer_key: str, failed: str, poll: Callable[[], None]
) -> Any:
    """The answer (``state[answer_key]``) of the batch job kept in ``state``, or None while
    there is none: a failed job's reason is shown (``failed``, translated, formatted with
    ``reason``); a job still running is followed by a fragment that calls ``poll`` (the
    page's ``poll_batch_job``) every ``POLL_SECONDS``."""
    if state.get("failure"):
        st.error(failed.format(reason=md_escape(state["failure"])), icon=":material/error:")
        return None
    answer = state.get(answer_key)
    if answer is None:
        st.fragment(run_every=POLL_SECONDS)(in_session_language(poll))()
    return answer
