"""Who should get this? The users most likely to want an item or a category (batch segment job).

Asking starts a job (billed on AWS), so it is for operators, confirmed and audited; anyone sees
the answer of a job started in their session. The job's status is polled by a fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboard import deps, identity
from dashboard.components.downloads import csv_download
from dashboard.components.formatting import version_name
from dashboard.components.operations.actions import run_action
from dashboard.components.recommendations.batch_poll import follow_batch_job, poll_batch_job
from dashboard.components.recommendations.confirm import confirmed, dialog
from dashboard.components.text import md_escape
from dashboard.components.widget_scope import follow_default
from services.datasets.snapshot import location
from services.errors import ServiceError
from services.evaluation import segments as seg
from services.i18n import _, formats, ngettext
from services.workspace.catalog import CatalogVersion

STATE = "seg_job"
CONFIRM = "seg_confirm"
SAMPLE = 20


def _poll() -> None:
    """Re-read the job; when it is done, read its answer and redraw the page."""
    poll_batch_job(
        STATE,
        "users",
        _("Who should get this?"),
        lambda arn: deps.service().describe_batch_segment_job(arn),
        _("Batch segment job {job} is {status}: this refreshes every {seconds} s."),
        _read,
    )


def _read(state: dict[str, Any]) -> None:
    try:
        state["users"] = seg.read_segment(deps.objects(), seg.SegmentJob(**state["job"]))
    except ServiceError as err:  # the answer's own error, e.g. an unknown item
        state["failure"] = err.message


def _confirm(version: CatalogVersion, query: dict[str, str], count: int) -> None:
    def confirm() -> None:
        if confirmed(CONFIRM, "seg_start", _("Start the job")):
            svc = deps.service()
            started = run_action(
                "create_batch_segment_job",
                version.arn,
                {"query": query, "num_results": count},
                lambda: seg.start_segment_job(
                    svc, deps.objects(), location(deps.settings()), version.arn, query, count
                ),
                failure=_("Could not start the batch segment job"),
            )
            st.session_state.pop(CONFIRM, None)
            if started is not None:
                st.session_state[STATE] = {
                    "job_arn": started.job_arn,
                    "job": started.to_dict(),
                    "users": None,
                    "failure": None,
                }
                st.rerun()

    what = ngettext(
        "A batch segment job on {solution} lists up to {count} user for this "
        "question. On AWS it is billed and takes several minutes; locally seconds.",
        "A batch segment job on {solution} lists up to {count} users for this "
        "question. On AWS it is billed and takes several minutes; locally seconds.",
        count,
    ).format(solution=md_escape(version.solution), count=formats.count(count))
    dialog(_("Start a batch segment job"), what, seg.as_line(query), "json", confirm)


def _answer(state: dict[str, Any]) -> None:
    users = follow_batch_job(state, "users", _("The batch segment job failed: {reason}"), _poll)
    if users is None:
        return
    st.markdown(
        ngettext(
            "**{count}** user, most likely first.",
            "**{count}** users, most likely first.",
            len(users),
        ).format(count=formats.count(len(users)))
    )
    frame = seg.segment_frame(users)
    st.dataframe(
        frame.head(SAMPLE).rename(columns={"rank": _("rank"), "user_id": _("user ID")}),
        hide_index=True,
        key="seg_sample",
    )
    csv_download(frame, _("Download all users (CSV)"), "segment.csv", "seg_download")


def who_should_get_this(
    versions: Sequence[CatalogVersion], default_item: str, group_arn: str
) -> None:
    """Pick a USER_SEGMENTATION version, ask for an item or a category value, see the users;
    ``default_item`` is of the group ``group_arn`` (a switch of group refills the field)."""
    st.subheader(_("Who should get this?"))
    segmenters = [v for v in versions if v.recipe in (seg.ITEM_AFFINITY, seg.ATTRIBUTE_AFFINITY)]
    if not segmenters:
        st.info(
            _(
                "No segmenting version in this group: train aws-item-affinity (for an item) or "
                "aws-item-attribute-affinity (for a category value) to find the users most "
                "likely to want it."
            )
        )
        return
    # Labels without the version's age ("trained 3 s ago" would change between reruns and
    # reset the choice).
    labels = [f"{version_name(v.arn)} · {v.recipe}" for v in segmenters]
    version = segmenters[labels.index(st.selectbox(_("Solution version"), labels, key="seg_v"))]
    by_item = version.recipe == seg.ITEM_AFFINITY
    left, mid, right = st.columns([2, 2, 1])
    field = "CATEGORY"
    if by_item:
        follow_default("seg_item", default_item, group_arn)
        value = left.text_input(_("Item ID"), key="seg_item")
    else:
        field = mid.text_input(_("Items field"), value="CATEGORY", key="seg_field").strip()
        value = left.text_input(_("Value"), key="seg_value")
    count = int(right.number_input(_("Users"), 1, 10_000, 100, key="seg_count"))
    try:
        query = seg.query_line(version.recipe, value, field)
    except ValueError as err:
        if value.strip():
            st.error(md_escape(str(err)))
        return
    denied = identity.refusal()
    if st.button(
        _("Find the users…"), key="seg_start", disabled=denied is not None, help=denied
    ) and identity.permit("create_batch_segment_job", version.arn, {"query": query}):
        st.session_state[CONFIRM] = True
    if st.session_state.get(CONFIRM):
        _confirm(version, query, count)
    state = st.session_state.get(STATE)
    if state and state["job"]["version_arn"] == version.arn and state["job"]["query"] == query:
        _answer(state)
