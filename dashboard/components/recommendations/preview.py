"""Preview a solution version that no campaign serves, as on AWS: a batch inference job.

The job is started by a button, its status is polled by a fragment (the page stays usable),
and once it is ACTIVE its output file is read and drawn like a campaign's lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard import deps, identity
from dashboard.components.errors import shown_errors
from dashboard.components.formatting import relative_time, version_name
from dashboard.components.recommendations.batch_poll import follow_batch_job, poll_batch_job
from dashboard.components.text import md_help
from services.datasets.snapshot import location
from services.evaluation.inspection import UserRecommendations
from services.evaluation.sampling import BatchPreview, read_batch_preview, start_batch_preview
from services.i18n import _, ngettext
from services.workspace.catalog import CatalogVersion

STATE = "rec_preview"
NUM_RESULTS = 25  # the grid shows at most 25, so one job serves every top-N choice


def version_choice(version: CatalogVersion) -> str:
    """How a version is named in the picker: its name (``version_label``), age, and who
    serves it."""
    served = (
        _("served by {campaigns}").format(campaigns=", ".join(version.served_by))
        if version.served_by
        else _("not deployed")
    )
    return _("{version} · trained {when} · {served}").format(
        version=version_name(version.arn),
        when=relative_time(version.created),
        served=served,
    )


def _results(state: dict[str, Any]) -> list[UserRecommendations]:
    return [UserRecommendations(**r) for r in state["results"]]


def _poll() -> None:
    """Re-read the job's status; when it is done, read the output and redraw the page."""
    poll_batch_job(
        STATE,
        "results",
        _("Batch preview"),
        lambda arn: deps.service().describe_batch_inference_job(arn),
        _(
            "Batch inference job {job} is {status}: this refreshes every {seconds} s "
            "(minutes on AWS; other pages stay usable)."
        ),
        _read,
    )


def _read(state: dict[str, Any]) -> None:
    preview = BatchPreview.from_dict(state)
    state["results"] = [
        {"user_id": r.user_id, "items": r.items, "scores": r.scores, "error": r.error}
        for r in read_batch_preview(deps.objects(), preview)
    ]


def preview(
    version: CatalogVersion,
    users: Sequence[str],
    draw: Callable[[list[UserRecommendations]], None],
) -> None:
    """Start / follow / draw a batch preview of ``version`` for ``users``."""
    state = st.session_state.get(STATE)
    matches = bool(state) and state["version_arn"] == version.arn and state["users"] == list(users)
    st.caption(
        ngettext(
            "No campaign is needed: a batch inference job answers for the sampled user from "
            "this version. On AWS the job is billed and takes several minutes; locally it "
            "takes seconds.",
            "No campaign is needed: a batch inference job answers for the {count} sampled "
            "users from this version. On AWS the job is billed and takes several minutes; "
            "locally it takes seconds.",
            len(users),
        ).format(count=len(users))
    )
    denied = identity.refusal()
    if st.button(
        _("Preview with a batch inference job"),
        key="rec_preview_start",
        type="primary",
        disabled=denied is not None,
        help=md_help(denied),
    ) and identity.permit("create_batch_inference_job", version.arn, {"users": len(users)}):
        with shown_errors(_("Batch preview")):
            svc = deps.service()
            started = start_batch_preview(
                svc, deps.objects(), location(deps.settings()), version.arn, users, NUM_RESULTS
            )
            st.session_state[STATE] = {**started.to_dict(), "results": None, "failure": None}
            state, matches = st.session_state[STATE], True
    if not matches or state is None:
        if state:
            st.caption(_("The last preview was for other users or another version."))
        return
    failed = _("The batch inference job failed: {reason}")
    if follow_batch_job(state, "results", failed, _poll) is not None:
        draw(_results(state))
