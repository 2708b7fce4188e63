"""What the account costs: a summary with findings (Overview), the per-campaign table
(Operations) and training hours with their cost (Solutions)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.components.alerts import PAGE_FILES
from dashboard.components.formatting import NO_VALUE, when_column
from dashboard.components.text import md_escape
from services.costs import PRICES_AS_OF, SOURCE_URL, CostReport, Prices, training_cost
from services.i18n import N_, _, formats, ngettext
from services.workspace.version_campaigns import VersionInfo

# Each list price with its unit, as one phrase (a translation may reorder price and unit).
_PRICED = {
    "tps_hour": N_("campaigns {price} per TPS-hour"),
    "rps_hour": N_("recommenders {price} per RPS-hour, that is per hour at one request a second"),
    "training_hour": N_("training {price} per training hour"),
    "ingestion_gb": N_("data ingested {price} per GB"),
    "metadata_hour": N_("item metadata in recommendations {price} extra per TPS-hour or RPS-hour"),
}


def _unverified(prices: Prices, figure: str, phrase: str) -> str:
    """``phrase`` (a price with its unit), saying so when no dated source states the price
    for the region."""
    if prices.verified(figure):
        return phrase
    return _("{priced} (price not verified against AWS's price list)").format(priced=phrase)


def _priced(prices: Prices, figure: str, amount: float | None) -> str:
    """One list price of the note, e.g. "campaigns $0.20 per TPS-hour"; a price nobody gave
    (the metadata surcharge) says it is unknown instead."""
    if amount is None:
        return _(
            "item metadata in recommendations: an extra charge per TPS-hour or RPS-hour whose "
            "price is unknown"
        )
    text = _(_PRICED[figure]).format(price=formats.money(amount, "USD"))
    return _unverified(prices, figure, text)


def _price_note(prices: Prices) -> str:
    figures = {
        "tps_hour": prices.tps_hour,
        "rps_hour": prices.rps_hour,
        "training_hour": prices.training_hour,
        "ingestion_gb": prices.ingestion_gb,
        "metadata_hour": prices.metadata_hour,
    }
    note = _("List prices for {region}: {prices}.").format(
        region=md_escape(prices.region),
        prices=md_escape("; ".join(_priced(prices, k, v) for k, v in figures.items())),
    )
    if prices.overridden:
        note += _(" PERSONALIZE_PRICES sets some of them.")
    note += _(" Source: [AWS pricing]({url}), as of {date}.").format(
        url=SOURCE_URL, date=f"{PRICES_AS_OF:%Y-%m-%d}"
    )
    if prices.estimated:
        note += _(
            " {region} is not in the price table: these are US East prices; set "
            "PERSONALIZE_PRICES for your region's."
        ).format(region=md_escape(prices.region))
    elif prices.unverified:
        note += _(
            " A price not verified is one that no dated copy of AWS's price list states for "
            "this region: check it on the pricing page, or set it with PERSONALIZE_PRICES."
        )
    return note


def _findings(report: CostReport) -> None:
    for row in report.findings:
        icon = ":material/bedtime:" if row.finding == "idle" else ":material/trending_down:"
        st.warning(
            _("**{campaign}** is {finding}. {action}").format(
                campaign=md_escape(row.name),
                finding=md_escape(_(row.finding or "")),
                action=md_escape(row.action),
            ),
            icon=icon,
        )


def _traffic_note(report: CostReport) -> None:
    if report.traffic_problem:
        st.caption(
            _("Traffic unknown, so no idle or over-provisioning check: {problem}").format(
                problem=md_escape(report.traffic_problem)
            )
        )


def _gb_price(prices: Prices) -> str:
    """The ingestion price, e.g. "$0.05 per GB", saying so when it is not verified."""
    per_gb = _("{price} per GB").format(price=formats.money(prices.ingestion_gb, "USD"))
    return _unverified(prices, "ingestion_gb", per_gb)


def _ingestion_note(report: CostReport) -> None:
    if report.ingested_bytes is None:
        return
    st.caption(
        ngettext(
            "Data imported in the last {days} day: {size} GB, {usd} at {price}. Streamed "
            "events, items and users are billed too but not measured here.",
            "Data imported in the last {days} days: {size} GB, {usd} at {price}. Streamed "
            "events, items and users are billed too but not measured here.",
            report.ingestion_days,
        ).format(
            days=report.ingestion_days,
            size=formats.metric(report.ingested_bytes / 1024**3),
            usd=md_escape(formats.money(report.ingestion_usd, "USD")),
            price=md_escape(_gb_price(report.prices)),
        )
    )


def _metadata_note(report: CostReport) -> None:
    unpriced = report.metadata_unpriced
    if unpriced:
        st.caption(
            _(
                "{names} return item metadata with recommendations, which costs extra; no "
                "price is known for it, so the totals leave it out (set metadata_hour in "
                "PERSONALIZE_PRICES)."
            ).format(names=md_escape(", ".join(c.name for c in unpriced)))
        )


def overview_summary(report: CostReport | None) -> None:
    """Cost at a glance, the campaigns wasting money, and a link to the full table."""
    if report is None or not report.serving:
        return  # a failed read has drawn its message; nothing deployed costs nothing
    st.subheader(_("Cost"))
    left, right = st.columns(2)
    if report.recommenders:
        hourly, monthly = _("Campaigns and recommenders, per hour"), _("Per month at their minimum")
    else:
        hourly, monthly = _("Campaigns, per hour"), _("Per month at their minimum TPS")
    left.metric(hourly, formats.money(report.hourly_usd, "USD"))
    right.metric(monthly, formats.money(report.monthly_minimum_usd, "USD"))
    _findings(report)
    _traffic_note(report)
    _metadata_note(report)
    _ingestion_note(report)
    st.caption(_price_note(report.prices))
    st.page_link(
        PAGE_FILES["operations"], label=_("Cost & usage on Operations"), icon=":material/payments:"
    )


def campaigns_frame(report: CostReport) -> pd.DataFrame:
    """One row per campaign and ACTIVE recommender: minimum, cost, traffic and what to do."""
    rows = []
    for row in report.serving:
        used = row.usage
        campaign = row.kind == "campaign"
        rows.append(
            {
                _("campaign or recommender"): row.name,
                _("kind"): _("campaign") if campaign else _("recommender"),
                _("minimum"): (_("{n} TPS") if campaign else _("{n} requests/s")).format(
                    n=row.minimum
                ),
                _("metadata"): _("yes (extra)") if row.metadata else "",
                _("$/hour"): row.hourly_usd,
                _("$/month"): row.monthly_usd,
                _("requests ({days} d)").format(days=report.idle_days): formats.count(
                    used.requests if used else None
                ),
                _("peak per second"): used.peak_tps if used else None,
                _("last request"): used.last_request if used else None,
                _("finding"): _(row.finding) if row.finding else "",
                _("action"): row.action or "",
            }
        )
    return pd.DataFrame(rows)


def operations_section(report: CostReport | None) -> None:
    """Every campaign's cost and traffic, with the findings and their actions first."""
    if report is None:
        return
    if not report.serving:
        st.info(_("No campaign or active recommender yet, so nothing is billed by the hour."))
        return
    _findings(report)
    _traffic_note(report)
    _metadata_note(report)
    _ingestion_note(report)
    requests = _("requests ({days} d)").format(days=report.idle_days)
    st.dataframe(
        campaigns_frame(report),
        hide_index=True,
        column_config={
            _("$/hour"): st.column_config.NumberColumn(format="$%.2f"),
            _("$/month"): st.column_config.NumberColumn(format="$%.2f"),
            requests: st.column_config.TextColumn(alignment="right"),  # a count, as text
            _("peak per second"): st.column_config.NumberColumn(format="%.2f"),
            _("last request"): when_column(),
        },
        placeholder=NO_VALUE,  # never a request: "–", not "None"
    )
    st.caption(
        _(
            "A campaign bills max(minProvisionedTPS, actual TPS per 5 minutes) every hour, even "
            "without traffic; a recommender max(its minimum requests a second, the hour's "
            "average). All at their minimum: {monthly} a month (campaign tiers applied). "
            "{prices}"
        ).format(
            monthly=md_escape(formats.money(report.monthly_minimum_usd, "USD")),
            prices=_price_note(report.prices),
        )
    )


def training_section(infos: Sequence[VersionInfo], prices: Prices | None) -> None:
    """Billed training hours per solution version and what they cost."""
    if prices is None or not infos:
        return
    costs = [training_cost(i.version, prices) for i in infos]
    frame = pd.DataFrame(
        {
            _("solution"): [i.solution.name for i in infos],
            _("version"): [i.label for i in infos],
            _("training hours"): [c.hours for c in costs],
            _("cost"): [c.usd for c in costs],
        }
    )
    total = sum(c.usd for c in costs if c.usd is not None)
    st.subheader(_("Training cost"))
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            _("training hours"): st.column_config.NumberColumn(format="%.3f h"),
            _("cost"): st.column_config.NumberColumn(format="$%.2f"),
        },
    )
    st.caption(
        _(
            "{total} for these versions. Training hours are billed (4 vCPU + 8 GiB each) and "
            "known once a version is ACTIVE. {prices}"
        ).format(total=md_escape(formats.money(total, "USD")), prices=_price_note(prices))
    )
