"""Running work (refresh runs, training, campaign updates, imports), polled by a fragment only
while something is in flight.

While work runs, the fragment reads it again every 2 s; when nothing runs it does not poll at
all (the page's Refresh button, or any action, reads again), so an idle Operations tab neither
reruns nor calls the control plane. The caption says which of the two the panel does. A refresh
run counts as running work, shown with the step it is in and its place among the run's steps
("training shop-up (2 of 4)", from the run's records in the dashboard store, not Personalize).
It is the page's one poll (the refresh's own box does not poll). When something ends
(``running_work.settled``: not inside a refresh that still runs), the page reruns, so every
section and the polling follow; what starts, or moves on (a refresh's next step, CREATE
PENDING to IN_PROGRESS), or ends inside a running refresh, redraws the panel alone, since a
whole-page run each time is what a reader waits through, greyed (bench/refresh_busy.py).

Streamlit removes what a run no longer drew only when that run finishes, and the poll that
sees an end does not finish: it reruns the page. Left there, the Stop entry of a finished
training stayed beside a header that no longer counted it until the whole page had run again
(trial s12: 12 s under load). So every drawing of the panel overwrites what the last one had
beyond its own (a finished training's Stop entry, the table once nothing runs) with invisible
placeholders, there and then, whether or not its run gets to finish.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.formatting import status_name, when_column
from dashboard.components.language import in_session_language
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.operations.refresh_text import step_label
from dashboard.components.text import md_escape, md_help
from services.i18n import _
from services.pipeline.runs.running_runs import refresh_work
from services.workspace.running_work import Running, running_work, settled

BUSY_SECONDS = 2
UNREADABLE_SECONDS = 30  # the read failed: try again now and then, as the message says
_STATE = "ops_running"  # "arn name status" of each item shown, for ``listed``
_SHOWN = "ops_running_work"  # the work the panel drew last, for ``settled``
_DRAWN = "ops_running_elements"  # how many elements the panel drew last
_PREFETCHED = "ops_prefetched"  # work read by a whole-page run; absent in fragment-only reruns
_INTERVAL = "ops_poll_seconds"  # the interval the fragment was started with; None: no polling
_FAILED = "failed"  # the whole-page read failed and said why


def _stop_button(item: Running) -> None:
    with st.popover(
        _("Stop {name}…").format(name=md_escape(item.name)), icon=":material/stop_circle:"
    ):
        st.markdown(
            _(
                "Stop training **{name}**? The time trained so far is billed and training "
                "cannot be resumed: the version ends as CREATE STOPPED."
            ).format(name=md_escape(item.name))
        )
        denied = identity.refusal()
        if st.button(
            _("Stop training"),
            key=f"stop_{item.arn}",
            type="primary",
            disabled=denied is not None,
            help=md_help(denied),
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
                failure=_("Could not stop training"),
            ):
                flash(_("Stopping {name}: it ends as CREATE STOPPED.").format(name=item.name))
                st.rerun(scope="app")


def _read_work() -> list[Running] | None:
    """Refresh runs (from the store) and Personalize's running work; None if unreadable."""
    groups = reads.live_overview()
    if groups is None:
        return None
    return refresh_work(reads.running_refreshes(), step_label) + running_work(groups)


def listed(arn: str) -> bool | None:
    """Whether the panel, drawn above on this run, lists the resource ``arn`` (a version, a
    campaign…) as running; None when it could not read the work. Lets a message that points
    here say so only while it is true."""
    seen = st.session_state.get(_STATE)
    if seen is None:
        return None
    return any(line.split(" ", 1)[0] == arn for line in seen)


def _body() -> None:
    prefetched = st.session_state.pop(_PREFETCHED, None)
    full_run = prefetched is not None
    if prefetched == _FAILED:
        return  # the message is above the fragment; the next poll reads again
    work = prefetched if full_run else _read_work()
    if work is None:
        return
    st.session_state[_STATE] = sorted(f"{w.arn} {w.name} {w.status}" for w in work)
    previous = st.session_state.get(_SHOWN)
    st.session_state[_SHOWN] = work
    every = st.session_state.get(_INTERVAL)
    time = f"{datetime.now(UTC):%H:%M:%S}"
    if every is None:
        checked = _("checked {time} UTC; Refresh at the top of the page checks again").format(
            time=time
        )
    else:
        checked = _("checked {time} UTC; updates every {every} s").format(time=time, every=every)
    drawn = 1 + bool(work) + sum(w.stoppable for w in work)  # caption, table, Stop entries
    before = st.session_state.get(_DRAWN, 0)
    st.session_state[_DRAWN] = drawn
    with st.container(key="ops_running_panel"):
        if not work:
            st.caption(_("Nothing running ({checked}).").format(checked=checked))
        else:
            st.caption(_("{count} running, {checked}.").format(count=len(work), checked=checked))
            frame = pd.DataFrame(
                [(_(w.kind), w.name, status_name(w.status), w.started) for w in work],
                columns=[_("what"), _("name"), _("status"), _("started")],
            )
            st.dataframe(frame, hide_index=True, column_config={_("started"): when_column()})
            for item in work:
                if item.stoppable:
                    _stop_button(item)
        # what the last drawing had beyond this one's goes now (the module's doc)
        for _slot in range(before - drawn):
            st.empty()
    if previous is not None and settled(previous, work):
        # What ended made something the sections below show (a campaign serves a new
        # version, a run has its outcome): drop the cached reads and rerun the page, which
        # also stops polling when nothing moves any more.
        reads.invalidate()
        if not full_run:
            st.rerun(scope="app")


def poll_seconds(work: list[Running] | None) -> int | None:
    """How often the panel reads ``work`` again: every BUSY_SECONDS while something moves,
    every UNREADABLE_SECONDS after a failed read (None), never when all is idle or stalled."""
    if work is None:
        return UNREADABLE_SECONDS
    return BUSY_SECONDS if any(w.live for w in work) else None


def show_running_work() -> None:
    """The progress panel, updating itself every 2 s while something runs and not at all
    when nothing does."""
    # Read here, not only in the fragment, because whether it polls depends on it.
    work = _read_work()
    st.session_state[_PREFETCHED] = work if work is not None else _FAILED
    every = poll_seconds(work)
    st.session_state[_INTERVAL] = every
    st.fragment(run_every=every)(in_session_language(_body))()
