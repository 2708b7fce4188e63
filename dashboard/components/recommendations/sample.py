"""Which users to look at: recently active (the default: who the shop serves right now),
random, most or least active, unknown, or typed IDs (checked against the users of the version
that answers them, where the backend lists them, else against the group's data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import reads
from dashboard.components.text import md_escape
from services.evaluation.inspection import SAMPLE_HOW, SAMPLE_USERS, sample_active_users
from services.evaluation.known_users import check_typed_users
from services.evaluation.sampling import parse_ids, unknown_user_ids
from services.i18n import N_, _
from services.readiness import Finding

MAX_USERS = 20
MAX_TYPED = 50
# Options are the English labels (stable values); the radio shows them translated.
_FROM_DATA = {
    N_("Recently active"): "most_recent",
    N_("Random"): "random",
    N_("Most active"): "most_active",
    N_("Least active"): "least_active",
}
UNKNOWN = N_("Unknown (new users)")
TYPED = N_("Typed IDs")


@dataclass(frozen=True)
class Sample:
    users: tuple[str, ...]
    how: str
    # the check of typed IDs: (the source it is about, when lists come from more than one
    # version, else None; the finding)
    findings: tuple[tuple[str | None, Finding], ...] = ()


def pick_users(
    activity: pd.DataFrame | None, key: str, served: Sequence[tuple[str, str | None]] = ()
) -> Sample:
    """Sampling controls; the data-driven choices need the users' activity
    (``inspection.user_activity``: one row per user, not every interaction).

    ``served``: what answers the lists, as (name, ARN of the version it serves, None for a
    recommender): typed IDs are checked against each distinct version's users."""
    has_data = activity is not None and len(activity) > 0
    options = [*(_FROM_DATA if has_data else []), UNKNOWN, TYPED]
    # with data, the page opens on the default sample (inspection.SAMPLE_HOW, SAMPLE_USERS)
    default = next((o for o in options if _FROM_DATA.get(o) == SAMPLE_HOW), options[0])
    left, right = st.columns([3, 2])
    how = left.radio(
        _("Users"),
        options,
        index=options.index(default),
        format_func=_,
        horizontal=True,
        key=f"{key}_how",
        help=_(
            "Unknown users are IDs the model never saw: a healthy model gives them popular "
            "items, so their lists look alike."
        ),
    )
    if how == TYPED:
        text = right.text_area(
            _("User IDs"),
            key=f"{key}_typed",
            placeholder=_("one per line, or separated by commas"),
            height=80,
        )
        users = parse_ids(text)
        if len(users) > MAX_TYPED:
            st.warning(
                _("Showing the first {shown} of {count} IDs.").format(
                    shown=MAX_TYPED, count=len(users)
                )
            )
            users = users[:MAX_TYPED]
        return Sample(tuple(users), how, _typed_findings(users, activity, served))
    n = right.slider(_("How many users"), 2, MAX_USERS, SAMPLE_USERS, key=f"{key}_n")
    if how == UNKNOWN:
        return Sample(tuple(unknown_user_ids(n)), how)
    seed_key = f"{key}_seed"
    if how == "Random" and right.button(_("Draw again"), key=f"{key}_redraw"):
        st.session_state[seed_key] = st.session_state.get(seed_key, 0) + 1
    if activity is None:  # unreachable: activity choices are offered only with data
        return Sample((), how)
    seed = st.session_state.get(seed_key, 0)
    users = sample_active_users(activity, n, _FROM_DATA[how], seed=seed)
    return Sample(tuple(users), how)


def _typed_findings(
    users: list[str], activity: pd.DataFrame | None, served: Sequence[tuple[str, str | None]]
) -> tuple[tuple[str | None, Finding], ...]:
    """One check per distinct version answering the lists (one check against the group's data
    for the sources whose users nobody lists)."""
    if not users:
        return ()
    checks: dict[str | None, tuple[str, Finding | None]] = {}
    for name, version_arn in served or [("", None)]:
        trained = reads.trained_users(version_arn) if version_arn else None
        basis = trained.version_arn if trained else None
        if basis not in checks:
            checks[basis] = (name, check_typed_users(users, activity, trained))
    named = len(checks) > 1
    return tuple((name if named else None, f) for name, f in checks.values() if f is not None)


def show_finding(sample: Sample) -> None:
    """The ID check of typed IDs, when it found something."""
    if sample.how == UNKNOWN:
        st.caption(
            _(
                "These IDs are generated, so no model has seen them: expect every user to get "
                "the same popular items. That is correct for new users, and a warning sign for "
                "real ones."
            )
        )
    for source, finding in sample.findings:
        title = finding.title
        if source is not None:
            title = _("{source}: {title}").format(source=source, title=title)
        box = st.warning if finding.severity in ("error", "warning") else st.info
        box(  # the detail quotes the typed IDs
            f"**{md_escape(title)}**: {md_escape(finding.detail)} {md_escape(finding.fix)}",
            icon=":material/search:",
        )
