"""The warning shown wherever two versions' offline metrics are set side by side (Solutions'
comparison, Operations' deploy panel): metrics computed on different data do not compare."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dashboard.components.text import md_escape
from services.evaluation.version_data import VersionData, data_difference
from services.i18n import _
from services.personalize.models import SolutionVersion


def warn_if_different_data(
    a: tuple[str, SolutionVersion],
    b: tuple[str, SolutionVersion],
    data: Mapping[str, VersionData],
    reported: bool,
) -> bool:
    """Warn when the two (label, version) pairs were trained or scored on different data;
    returns whether it warned.

    AWS's guide: compare versions trained on the same data only. ``data`` maps version ARN →
    what it was trained and scored on; ``reported``: the backend keeps that record (the local
    engine), so a version missing from it is an old one, scored before the engine kept records
    and followed AWS's definition of truth."""
    a_version, b_version = a[1], b[1]
    reasons = data_difference(
        a_version, data.get(a_version.arn), b_version, data.get(b_version.arn)
    )
    unrecorded = [label for label, v in (a, b) if v.arn not in data]
    if reported and unrecorded:
        reasons.append(
            _(
                "{versions} scored by an older engine, which kept no record of its data and "
                "left items the user already had out of the truth: retrain to compare"
            ).format(versions=_(" and ").join(unrecorded))
        )
    if reasons:
        st.warning(
            _(
                "These two versions were trained or scored on different data ({reasons}): "
                "the difference may be the data's, not the model's."
            ).format(reasons="; ".join(md_escape(r) for r in reasons)),  # versions and dates
            icon=":material/warning:",
        )
        return True
    if unrecorded:
        st.caption(
            _(
                "Personalize does not say what data each version was trained on: compare "
                "versions trained after the same imports and events only."
            )
        )
    return False
