"""One experiment's report: the headline sentence, the arms side by side, the intervals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.text import md_escape
from services.evaluation.products import SHOP_CURRENCY
from services.experiments.impressions import ArmImpressions
from services.experiments.outcomes import (
    NEEDS_IMPRESSION,
    NEEDS_LIST,
    NEEDS_SESSION,
    NEEDS_SOURCE,
    NEEDS_VALUE,
)
from services.experiments.report import Report
from services.experiments.stats import ALPHA, MIN_USERS, Difference
from services.experiments.verdict import BETTER, CONVERSION, REVENUE, Comparison
from services.i18n import N_, _, formats, ngettext

METRIC_NAMES = {REVENUE: N_("revenue per user"), CONVERSION: N_("conversion rate")}
DAYS_A_YEAR = 365  # beyond this the planner speaks in years: the test is out of reach


def _p_value(value: float) -> str:
    """The p-value with four decimals, or ``< 0.0001`` below that: a decisive experiment's
    p-value would round to ``0.0000``, which reads as impossible."""
    if value < 0.0001:
        return "< " + formats.metric(0.0001)
    return formats.metric(value)


def _level() -> str:
    """The intervals' confidence level as a share: ``95%``."""
    return formats.share(1 - ALPHA)


def _interval(low: float | None, high: float | None) -> str:
    return _("{low} to {high}").format(low=formats.change(low, 1), high=formats.change(high, 1))


def headline_text(report: Report) -> str:
    """ "B beats A on revenue per user by +x% (95% CI …)", or how long until it can tell."""
    decided = report.headline.decided
    if decided is not None and decided.difference is not None:
        d = decided.difference
        winner, loser = (
            (decided.treatment, decided.control)
            if decided.state == BETTER
            else (decided.control, decided.treatment)
        )
        # the relative difference of the winner over the loser, on the control's scale
        sign = 1 if decided.state == BETTER else -1
        low, high = sorted((sign * (d.relative_low or 0.0), sign * (d.relative_high or 0.0)))
        return _(
            "{winner} beats {loser} on {metric} by {lift} ({level} CI {interval}, valid "
            "however often you look)."
        ).format(
            level=_level(),
            winner=md_escape(winner),
            loser=md_escape(loser),
            metric=_(METRIC_NAMES[decided.metric]),
            lift=formats.change(sign * (d.relative or 0.0), 1),
            interval=_interval(low, high),
        )
    days = report.headline.more_days
    if days is None:
        return _(
            "Not enough data yet: each arm needs at least {users} users and a day of traffic "
            "before the wait can be estimated."
        ).format(users=formats.count(MIN_USERS))
    return ngettext(
        "Not enough data yet: about {days} more day at this traffic to find a {lift} lift "
        "in {metric}.",
        "Not enough data yet: about {days} more days at this traffic to find a {lift} lift "
        "in {metric}.",
        days,
    ).format(
        days=formats.count(days),
        lift=formats.share(report.experiment.min_lift, 1),
        metric=_(METRIC_NAMES[report.headline.wait_metric]),
    )


def show_headline(report: Report) -> None:
    """The sentence, coloured: green for a winner, blue while waiting."""
    text = headline_text(report)
    if report.headline.decided is not None:
        st.success(text, icon=":material/emoji_events:")
    else:
        st.info(text, icon=":material/hourglass_top:")


def _shown(found: ArmImpressions | None) -> ArmImpressions | None:
    """An arm's impression figures, None when unknown or when no event carried any (shown as
    –, never as 0)."""
    return found if found is not None and found.lists else None


def show_arms(report: Report) -> None:
    """Per arm: users, sessions, recommendation lists acted on, impressions (lists shown),
    items shown, clicks on them and the click-through rate, clicks on recommendations,
    conversions, users who converted and the conversion rate (their share of users), revenue
    per user and per session (untrusted names are cell text, never markdown); what the
    impressions and the conversion rate count, and which arms sent no impression data."""
    money = SHOP_CURRENCY
    rows = []
    for arm, outcome in zip(report.experiment.arms, report.outcomes.arms, strict=True):
        seen = _shown(outcome.impressions)
        rows.append(
            {
                _("arm"): arm.name,
                _("share"): formats.share(arm.share),
                _("serves"): arm.target.rsplit("/", 1)[-1],
                _("users"): formats.count(outcome.users),
                _("sessions"): formats.count(outcome.sessions),
                _("lists acted on"): formats.count(outcome.lists_acted_on),
                _("impressions (lists shown)"): formats.count(seen.lists if seen else None),
                _("items shown"): formats.count(seen.items if seen else None),
                _("clicks on shown items"): formats.count(seen.clicks if seen else None),
                _("click-through rate"): formats.share(
                    seen.click_through_rate if seen else None, 1
                ),
                _("clicks"): formats.count(outcome.clicks),
                _("conversions"): formats.count(outcome.conversions),
                _("users who converted"): formats.count(outcome.users_converted),
                _("conversion rate"): formats.share(outcome.conversion_rate, 2),
                _("revenue"): formats.money(outcome.revenue, money),
                _("revenue per user"): formats.money(
                    None if outcome.revenue is None else outcome.revenue_per_user.mean, money
                ),
                _("revenue per session"): formats.money(outcome.revenue_per_session, money),
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="experiment_arms")
    st.caption(
        _(
            "Impressions: the recommendation lists an arm's users were shown, as their PutEvents "
            "events said (an event's impression, else the list its recommendationId names; one "
            "per user, session and list). Click-through rate = shown lists with at least one "
            "click on one of their items in the same session ÷ shown lists. Lists acted on: the "
            "recommendationIds an event named (a list shown and ignored leaves none). Clicks: "
            "click events that name a recommendationId."
        )
    )
    st.caption(
        _(
            "Conversion rate = users with at least one conversion ÷ users (users who "
            "converted ÷ users). Conversions: every conversion event, so one user can add "
            "several."
        )
    )
    _show_no_impressions(report)
    _show_unknown(report)
    wrong = sum(o.mislabelled or 0 for o in report.outcomes.arms)
    if wrong:
        st.warning(
            ngettext(
                "{count} event names another arm than the split rule gives its user: the "
                "shop's backend does not split as docs/experiments.md says.",
                "{count} events name another arm than the split rule gives their user: the "
                "shop's backend does not split as docs/experiments.md says.",
                wrong,
            ).format(count=formats.count(wrong)),
            icon=":material/call_split:",
        )


def _show_no_impressions(report: Report) -> None:
    """Which arms' events carried no impression at all (their figures show –, not 0)."""
    if NEEDS_IMPRESSION in report.outcomes.unknown:
        return  # the export cannot tell: _show_unknown says why
    empty = [o.name for o in report.outcomes.arms if _shown(o.impressions) is None]
    if empty:
        st.info(
            ngettext(
                "No impression data for arm {arms}: send impression or recommendationId with "
                "PutEvents to measure this.",
                "No impression data for arms {arms}: send impression or recommendationId with "
                "PutEvents to measure this.",
                len(empty),
            ).format(arms=", ".join(md_escape(n) for n in empty)),
            icon=":material/visibility_off:",
        )


def _show_unknown(report: Report) -> None:
    """What the events' source could not tell (a dataset export has only the schema's
    columns): each figure shown as – and why, so nobody reads a gap as zero."""
    unknown = report.outcomes.unknown
    lines = []
    if NEEDS_SESSION in unknown:
        lines.append(_("sessions and revenue per session: a dataset export has no session ID"))
    if NEEDS_LIST in unknown:
        lines.append(
            _(
                "lists acted on and clicks on recommendations: the Interactions schema has no "
                "RECOMMENDATION_ID field"
            )
        )
    if NEEDS_IMPRESSION in unknown:
        lines.append(
            _(
                "impressions and click-through rate: the Interactions schema has no IMPRESSION "
                "field (an export holds only the impressions sent as impression, not those of a "
                "recommendationId)"
            )
        )
    if NEEDS_SOURCE in unknown:
        lines.append(
            _(
                "whether events name another arm than the split gives their user (a backend "
                "that splits wrongly): the schema has no EVENT_ATTRIBUTION_SOURCE field"
            )
        )
    if not report.outcomes.revenue_known:
        lines.append(
            _(
                "revenue: the schema has no EVENT_VALUE field and no item has a PRICE, so "
                "only conversion is compared"
            )
        )
    elif NEEDS_VALUE in unknown:
        lines.append(
            _("the events' own values: the schema has no EVENT_VALUE field; revenue is the price")
        )
    if lines:
        st.warning(
            _("Not known from these events (shown as –):")
            + "\n"
            + "\n".join(f"- {line}" for line in lines),
            icon=":material/help:",
        )


def _row(c: Comparison) -> dict[str, str]:
    d: Difference | None = c.difference
    return {
        _("metric"): _(METRIC_NAMES[c.metric]),
        _("arm vs control"): f"{c.treatment} − {c.control}",
        _("difference"): formats.change(d.relative, 1) if d else formats.NO_VALUE,
        _("{level} CI (any day)").format(level=_level()): _interval(d.relative_low, d.relative_high)
        if d
        else formats.NO_VALUE,
        _("{level} CI (one look)").format(level=_level()): _interval(
            d.fixed_low / d.control_mean if d.control_mean else None,
            d.fixed_high / d.control_mean if d.control_mean else None,
        )
        if d
        else formats.NO_VALUE,
        _("p-value (any day)"): _p_value(d.p_value) if d else formats.NO_VALUE,
        _("verdict"): _(c.state),
    }


def show_intervals(report: Report) -> None:
    """Each arm against the control on both metrics, with both intervals side by side."""
    st.dataframe(
        pd.DataFrame([_row(c) for c in report.comparisons]),
        hide_index=True,
        key="experiment_intervals",
    )
    st.caption(
        _(
            'Differences are relative to the control\'s mean. The "any day" interval is a '
            "confidence sequence (mSPRT, Johari et al. 2022): read it as often as you like. "
            "The one-look interval is valid only if you look once, at a size fixed in advance."
        )
    )


def show_planner(report: Report) -> None:
    """The planner's sentence at today's traffic."""
    per_day = report.outcomes.users_per_day
    lift = formats.share(report.experiment.min_lift, 1)
    if per_day <= 0:
        st.caption(_("The planner needs a day of traffic to estimate how long this takes."))
        return
    for metric, days in (
        (CONVERSION, report.conversion_days),
        (REVENUE, report.revenue_days),
    ):
        if days is None:
            continue
        st.caption(planner_sentence(lift, _(METRIC_NAMES[metric]), per_day, days))


def planner_sentence(lift: str, metric: str, per_day: float, days: int) -> str:
    """The planner's sentence for one metric: ``days`` (from the start) when it is within a
    year; beyond a year, in years and said to be out of reach at this traffic, since a count
    like "12,480 days" hides that it means decades. ``lift`` and ``metric`` come formatted."""
    traffic = ngettext("{n} user a day", "{n} users a day", round(per_day)).format(
        n=formats.count(per_day)
    )
    if days > DAYS_A_YEAR:
        years = round(days / 365.25)
        return ngettext(
            "To see a {lift} lift in {metric} at this traffic ({traffic}) you would need about "
            "{years} year: out of reach unless traffic grows or you look for a larger lift.",
            "To see a {lift} lift in {metric} at this traffic ({traffic}) you would need about "
            "{years} years: out of reach unless traffic grows or you look for a larger lift.",
            years,
        ).format(lift=lift, metric=metric, traffic=traffic, years=formats.count(years))
    return ngettext(
        "To see a {lift} lift in {metric} at this traffic ({traffic}) you need about {days} "
        "day in all.",
        "To see a {lift} lift in {metric} at this traffic ({traffic}) you need about {days} "
        "days in all.",
        days,
    ).format(lift=lift, metric=metric, traffic=traffic, days=formats.count(days))
