"""Running work (training, campaign updates, imports), polled by a fragment.

It polls every 2 s while something runs and every 30 s when idle, so an open Operations tab
does not hammer the control plane. When the set of running work changes, the page reruns so
every section shows the new state.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.ops_actions import flash, run_action
from services.running_work import Running, running_work

BUSY_SECONDS = 2
IDLE_SECONDS = 30
_STATE = "ops_running"
_PREFETCHED = "ops_prefetched"  # work read by a whole-page run; absent in fragment-only reruns
_FAILED = "failed"  # the whole-page read failed and said why


def _stop_button(item: Running) -> None:
    with st.popover(f"Stop {item.name}…", icon=":material/stop_circle:"):
        st.markdown(
            f"Stop training **{item.name}**? The time trained so far is billed and training "
            "cannot be resumed: the version ends as CREATE STOPPED."
        )
        denied = identity.refusal()
        if st.button(
            "Stop training",
            key=f"stop_{item.arn}",
            type="primary",
            disabled=denied is not None,
            help=denied,
        ):
            service = deps.service()

            def stop() -> str:
                service.stop_solution_version(item.arn)
                return item.arn

            if run_action(
                "stop_solution_version",
                item.arn,
                {"status_before": item.status},
                stop,
                failure="Could not stop training",
            ):
                flash(f"Stopping {item.name}: it ends as CREATE STOPPED.")
                st.rerun(scope="app")


def _body() -> None:
    prefetched = st.session_state.pop(_PREFETCHED, None)
    full_run = prefetched is not None
    if prefetched == _FAILED:
        return  # the message is above the fragment; the next poll reads again
    if full_run:
        work = prefetched
    else:
        groups = reads.live_overview()
        if groups is None:
            return
        work = running_work(groups)
    seen = sorted(f"{w.arn} {w.status}" for w in work)
    previous = st.session_state.get(_STATE)
    st.session_state[_STATE] = seen
    checked = f"checked {datetime.now(UTC):%H:%M:%S} UTC"
    if not work:
        st.caption(f"Nothing running ({checked}).")
    else:
        st.caption(f"{len(work)} running, {checked}; updates every {BUSY_SECONDS} s.")
        frame = pd.DataFrame(
            [
                {"what": w.kind, "name": w.name, "status": w.status, "started": w.started}
                for w in work
            ]
        )
        st.dataframe(
            frame,
            hide_index=True,
            column_config={"started": st.column_config.DatetimeColumn(format="distance")},
        )
        for item in work:
            if item.stoppable:
                _stop_button(item)
    if previous is not None and previous != seen:
        # Something started or finished: drop cached reads so the sections below agree;
        # a fragment-only rerun must also redraw the rest of the page.
        reads.invalidate()
        if not full_run:
            st.rerun(scope="app")


def show_running_work() -> None:
    """The self-updating progress panel: every 2 s while something runs, else every 30 s."""
    # Read here, not only in the fragment, because the poll interval depends on it.
    groups = reads.live_overview()
    work = running_work(groups) if groups is not None else []
    st.session_state[_PREFETCHED] = work if groups is not None else _FAILED
    st.fragment(run_every=BUSY_SECONDS if work else IDLE_SECONDS)(_body)()
