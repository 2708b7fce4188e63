"""What the account costs: a summary with findings (Overview), the per-campaign table
(Operations) and training hours with their cost (Solutions)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.components.alerts import PAGE_FILES
from dashboard.components.text import md_escape
from services.costs import PRICES_AS_OF, SOURCE_URL, CostReport, Prices, training_cost
from services.workspace.version_campaigns import VersionInfo


def _price_note(prices: Prices) -> str:
    note = (
        f"List prices for {md_escape(prices.region)}: ${prices.tps_hour:.2f} per TPS-hour, "
        f"${prices.training_hour:.2f} per training hour"
    )
    if prices.overridden:
        return note + " (from PERSONALIZE_PRICES)."
    note += f" ([AWS pricing]({SOURCE_URL}), as of {PRICES_AS_OF:%Y-%m-%d})."
    if prices.estimated:
        note += (
            f" {md_escape(prices.region)} is not in the price table: these are US East prices; "
            "set PERSONALIZE_PRICES for your region's."
        )
    return note


def _findings(report: CostReport) -> None:
    for row in report.findings:
        icon = ":material/bedtime:" if row.finding == "idle" else ":material/trending_down:"
        st.warning(
            f"**{md_escape(row.campaign.name)}** is {md_escape(row.finding)}. "
            f"{md_escape(row.action)}",
            icon=icon,
        )


def _traffic_note(report: CostReport) -> None:
    if report.traffic_problem:
        st.caption(
            "Traffic unknown, so no idle or over-provisioning check: "
            + md_escape(report.traffic_problem)
        )


def overview_summary(report: CostReport | None) -> None:
    """Cost at a glance, the campaigns wasting money, and a link to the full table."""
    if report is None or not report.campaigns:
        return  # a failed read has drawn its message; no campaign costs nothing
    st.subheader("Cost")
    left, right = st.columns(2)
    left.metric("Campaigns, per hour", f"${report.hourly_usd:,.2f}")
    right.metric("Per month at their minimum TPS", f"${report.monthly_minimum_usd:,.2f}")
    _findings(report)
    _traffic_note(report)
    st.caption(_price_note(report.prices))
    st.page_link(
        PAGE_FILES["operations"], label="Cost & usage on Operations", icon=":material/payments:"
    )


def campaigns_frame(report: CostReport) -> pd.DataFrame:
    """One row per campaign: minimum TPS, cost, traffic and what to do."""
    rows = []
    for row in report.campaigns:
        used = row.usage
        rows.append(
            {
                "campaign": row.campaign.name,
                "min TPS": row.min_tps,
                "$/hour": row.hourly_usd,
                "$/month": row.monthly_usd,
                f"requests ({report.idle_days} d)": used.requests if used else None,
                "peak TPS": used.peak_tps if used else None,
                "last request": used.last_request if used else None,
                "finding": row.finding or "",
                "action": row.action or "",
            }
        )
    return pd.DataFrame(rows)


def operations_section(report: CostReport | None) -> None:
    """Every campaign's cost and traffic, with the findings and their actions first."""
    if report is None:
        return
    if not report.campaigns:
        st.info("No campaign yet, so nothing is billed by the hour.")
        return
    _findings(report)
    _traffic_note(report)
    st.dataframe(
        campaigns_frame(report),
        hide_index=True,
        column_config={
            "$/hour": st.column_config.NumberColumn(format="$%.2f"),
            "$/month": st.column_config.NumberColumn(format="$%.2f"),
            "peak TPS": st.column_config.NumberColumn(format="%.2f"),
            "last request": st.column_config.DatetimeColumn(format="distance"),
        },
    )
    st.caption(
        f"A campaign bills max(minProvisionedTPS, actual TPS per 5 minutes) every hour, even "
        f"without traffic. All campaigns at their minimum: ${report.monthly_minimum_usd:,.2f} "
        f"a month (account tiers applied). {_price_note(report.prices)}"
    )


def training_section(infos: Sequence[VersionInfo], prices: Prices | None) -> None:
    """Billed training hours per solution version and what they cost."""
    if prices is None or not infos:
        return
    costs = [training_cost(i.version, prices) for i in infos]
    frame = pd.DataFrame(
        {
            "solution": [i.solution.name for i in infos],
            "version": [i.version.arn.rsplit("/", 1)[-1] for i in infos],
            "training hours": [c.hours for c in costs],
            "cost": [c.usd for c in costs],
        }
    )
    total = sum(c.usd for c in costs if c.usd is not None)
    st.subheader("Training cost")
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "training hours": st.column_config.NumberColumn(format="%.3f h"),
            "cost": st.column_config.NumberColumn(format="$%.2f"),
        },
    )
    st.caption(
        f"${total:,.2f} for these versions. Training hours are billed (4 vCPU + 8 GiB each) and "
        f"known once a version is ACTIVE. {_price_note(prices)}"
    )
