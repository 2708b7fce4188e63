"""The chosen experiment in the URL (``?experiment=12``), as Recommendations keeps its view
(``?tab=compare``): a reload or a shared link opens the same experiment, in its dataset group,
and choosing another one (or starting one) puts that one in the URL.

The value is typed by whoever shares the link: one that names no experiment is said in a
warning and the page opens on the newest experiment, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.components.language import in_session_language
from dashboard.components.text import md_escape
from services.experiments.records import Experiment
from services.i18n import _

EXPERIMENT_PARAM = "experiment"
PICK_KEY = "experiment_pick"  # the experiment selector's state: the chosen experiment's id
_SHOWN_CHARS = 40  # of a value that names no experiment (a link cut short, a typo)


def linked_experiment(everyone: Sequence[Experiment]) -> Experiment | None:
    """The experiment the URL names, among ``everyone`` (every dataset group's); None when the
    URL names none, and then, for a value that matches no experiment, a warning."""
    raw = st.query_params.get(EXPERIMENT_PARAM)
    if raw is None:
        return None
    found = next((e for e in everyone if str(e.id) == raw.strip()), None)
    if found is None:
        shown = raw if len(raw) <= _SHOWN_CHARS else raw[:_SHOWN_CHARS] + "…"
        st.warning(
            _(
                "The link names experiment {value}, which does not exist (deleted, or the link "
                "was cut short): showing the newest experiment instead."
            ).format(value=md_escape(repr(shown))),
            icon=":material/link_off:",
        )
    return found


def open_experiment(experiment_id: int) -> None:
    """Show ``experiment_id`` on the next run, and name it in the URL (a just-started one)."""
    st.session_state[PICK_KEY] = experiment_id
    st.query_params[EXPERIMENT_PARAM] = str(experiment_id)


def pick_experiment(
    experiments: Sequence[Experiment],
    linked: Experiment | None,
    label: Callable[[Experiment], str],
) -> Experiment:
    """The experiment selector over ``experiments`` (one group's, newest first; not empty),
    opened on ``linked`` when it is one of them, else on what was chosen before, else the
    newest; a choice is put in the URL. A link to another group's experiment that the reader
    left (by choosing another group) is dropped from the URL."""
    by_id = {e.id: e for e in experiments}
    if linked is not None and linked.id in by_id:
        st.session_state[PICK_KEY] = linked.id
    else:
        if linked is not None:
            del st.query_params[EXPERIMENT_PARAM]
        if st.session_state.get(PICK_KEY) not in by_id:
            st.session_state[PICK_KEY] = experiments[0].id

    def remember() -> None:
        st.query_params[EXPERIMENT_PARAM] = str(st.session_state[PICK_KEY])

    chosen = st.selectbox(
        _("Experiment"),
        list(by_id),
        format_func=lambda i: label(by_id[i]),
        key=PICK_KEY,
        on_change=in_session_language(remember),
    )
    return by_id[chosen]
