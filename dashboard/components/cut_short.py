"""The note shown wherever a version whose training its time budget ended is shown: its
metrics, or the lists it answers, are those of a model cut short (trial s12: the note was on
Solutions' table only, not beside the side-by-side comparison)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from dashboard.components.text import md_escape
from services.evaluation.version_data import VersionData, stopped_at_budget
from services.i18n import N_plural, translated

METRICS = N_plural(
    "{versions} stopped at its time budget (max_training_seconds) while still "
    "training: its metrics are those of a model cut short.",
    "{versions} stopped at their time budget (max_training_seconds) while still "
    "training: their metrics are those of models cut short.",
)
LISTS = N_plural(
    "{versions} stopped at its time budget (max_training_seconds) while still training: "
    "these lists come from a model cut short.",
    "{versions} stopped at their time budget (max_training_seconds) while still training: "
    "these lists come from models cut short.",
)


def show_cut_short(
    versions: Sequence[tuple[str, str]], data: Mapping[str, VersionData], *, lists: bool = False
) -> list[str]:
    """An info line naming those of ``versions`` ((label, ARN) pairs) whose training their
    time budget ended, by ``data`` (ARN → what the engine recorded); about their metrics, or
    with ``lists`` about the recommendations they answer. Returns the labels it named (none:
    nothing drawn)."""
    cut = stopped_at_budget([arn for _label, arn in versions], data)
    labels = [label for label, arn in versions if arn in cut]
    if labels:
        st.info(
            translated(LISTS if lists else METRICS, len(labels)).format(
                versions=", ".join(md_escape(label) for label in labels)
            ),
            icon=":material/timer_off:",
        )
    return labels
