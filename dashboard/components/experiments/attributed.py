"""An experiment on AWS: each arm's metric attribution totals, and what they cannot decide."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services.experiments.attributed import AttributedOutcomes
from services.experiments.records import Experiment
from services.i18n import _, formats


def show_attributed(experiment: Experiment, found: list[AttributedOutcomes]) -> None:
    """Per metric attribution, a table of arms by metric totals (arm names are cell text,
    never markdown), then what CloudWatch sums cannot tell."""
    if not found:
        st.info(
            _(
                "The group has no active metric attribution. Create one and send each arm's "
                "name as the events' eventAttributionSource to see per-arm totals here."
            )
        )
    for outcomes in found:
        rows = []
        for arm, totals in zip(experiment.arms, outcomes.arms, strict=True):
            row = {_("arm"): arm.name, _("share"): formats.share(arm.share)}
            for m in outcomes.metrics:
                value = totals.totals[m.name]
                row[f"{m.name} ({m.event_type}, {m.expression})"] = (
                    formats.count(value) if m.counts_events else formats.metric(value)
                )
            rows.append(row)
        st.caption(
            _(
                "Totals per arm from the metric attribution {name}, by eventAttributionSource."
            ).format(name=outcomes.attribution.name)
        )
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.info(
        _(
            "On AWS, Personalize publishes only sums per 15 minutes to CloudWatch, not "
            "per-user events: the number of users and sessions per arm is unknown. So "
            "conversion rate, revenue per user and per session, their intervals and a winner "
            "cannot be decided from CloudWatch alone; compare the totals above with the "
            "split's shares."
        ),
        icon=":material/info:",
    )
