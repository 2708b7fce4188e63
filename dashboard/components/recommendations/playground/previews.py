"""The rule playground's lists: each user's list before the rules, after them, and with each
rule alone, from the local engine with the rules inline or, on AWS, from GetRecommendations
with saved filters; and why a rule may change nothing.
"""

from __future__ import annotations

import streamlit as st

from dashboard import deps, reads
from dashboard.components.errors import shown_errors
from dashboard.components.recommendations.playground.rule_fields import (
    EXPLORATION,
    FIELD_NAMES,
    FILTER,
    INVALID,
    PROMOTION,
    RULE_NAMES,
)
from dashboard.components.text import md_escape
from services.datasets.local_engine.preview import (
    ExpressionRefused,
    InlineRules,
    exploration_pool,
    preview_lists,
)
from services.errors import ServiceError
from services.evaluation import playground as pg
from services.evaluation.filter_errors import readable_filter_error
from services.i18n import N_, _
from services.workspace.catalog import CampaignInfo

# before, after (user -> list), and each rule alone (rule name -> user -> list)
Lists = tuple[
    dict[str, pg.RankedList], dict[str, pg.RankedList], dict[str, dict[str, pg.RankedList]]
]


def local_lists(
    campaign: CampaignInfo,
    users: list[str],
    top_n: int,
    rules: InlineRules,
    problems: dict[str, str],
) -> Lists | None:
    """Before, after and each rule alone, from the local engine with the rules inline; an
    expression the engine refuses is said and noted in ``problems`` (``INVALID`` + its
    field's key), so it is not offered for saving."""
    if not (rules.filter_expression or rules.promotion_expression or rules.exploration):
        st.caption(_("Type a filter or a promotion to see what it changes."))
        return None
    settings = deps.settings()
    try:
        before = preview_lists(settings, campaign.arn, users, top_n, InlineRules())
        after = preview_lists(settings, campaign.arn, users, top_n, rules)
        singles = {
            name: preview_lists(settings, campaign.arn, users, top_n, rule)
            for name, rule in _single_rules(rules).items()
        }
    except ExpressionRefused as err:
        _refused(err, problems)
        return None
    except ServiceError as err:
        with shown_errors(_("Preview")):
            raise err
        return None
    return before, after, singles


def _single_rules(rules: InlineRules) -> dict[str, InlineRules]:
    out = {}
    if rules.filter_expression:
        out[RULE_NAMES[FILTER]] = InlineRules(
            filter_expression=rules.filter_expression, filter_values=rules.filter_values
        )
    if rules.promotion_expression:
        out[RULE_NAMES[PROMOTION]] = InlineRules(
            promotion_expression=rules.promotion_expression,
            promotion_values=rules.promotion_values,
            percent=rules.percent,
        )
    if rules.exploration is not None:
        out[RULE_NAMES[EXPLORATION]] = InlineRules(exploration=rules.exploration)
    return out


def _refused(err: ExpressionRefused, problems: dict[str, str]) -> None:
    """The engine's CreateFilter text, named by the field it is about (and noted in
    ``problems`` under ``INVALID`` + the field's key)."""
    key = FILTER if err.field == FILTER else PROMOTION
    readable = readable_filter_error(err.message)
    problems[INVALID + key] = readable or err.message
    st.error(
        f"{_(FIELD_NAMES[key])}: {md_escape(readable or err.message)}", icon=":material/error:"
    )
    if readable is not None:  # the engine's own words, as CreateFilter would answer
        st.caption(_("The engine said: {message}").format(message=md_escape(err.message)))


def saved_filter_pickers(group_arn: str) -> dict[str, str | None]:
    """The saved ACTIVE filters to preview with on AWS: filter and promotion ARNs (or None)."""
    filters = reads.active_filters(group_arn) or []
    if not filters:
        st.caption(_("No ACTIVE filter in this group yet."))
        return {}
    by_arn = {f.arn: f.name for f in filters}
    options: list[str | None] = [None, *by_arn]
    left, right = st.columns(2)
    return {
        where: col.selectbox(
            _(label),
            options,
            format_func=lambda arn: by_arn[arn] if arn else _("(none)"),
            key=f"pg_saved_{where}",
        )
        for where, col, label in (
            (FILTER, left, N_("Preview with a saved filter")),
            (PROMOTION, right, N_("Promote items of a saved filter")),
        )
    }


def served_lists(
    campaign: CampaignInfo,
    users: list[str],
    top_n: int,
    rules: InlineRules,
    arns: dict[str, str | None],
    percent: int,
) -> Lists | None:
    """Before, after and each rule alone, as GetRecommendations answers with saved filters."""
    filter_arn, promo_arn = arns.get(FILTER), arns.get(PROMOTION)
    if not (filter_arn or promo_arn):
        return None
    promotions = (
        [pg.promotion("promotion", percent, promo_arn, rules.promotion_values)] if promo_arn else []
    )
    svc = deps.service()
    with shown_errors(_("Preview")):
        before = pg.served_lists(svc, campaign.arn, users, top_n)
        after = pg.served_lists(
            svc,
            campaign.arn,
            users,
            top_n,
            filter_arn=filter_arn,
            values=rules.filter_values,
            promotions=promotions,
        )
        singles = {}
        if filter_arn:
            singles[RULE_NAMES[FILTER]] = pg.served_lists(
                svc, campaign.arn, users, top_n, filter_arn=filter_arn, values=rules.filter_values
            )
        if promotions:
            singles[RULE_NAMES[PROMOTION]] = pg.served_lists(
                svc, campaign.arn, users, top_n, promotions=promotions
            )
        return before, after, singles
    return None


def unchanged_why(campaign: CampaignInfo, rules: InlineRules, top_n: int) -> dict[str, str]:
    """Why a rule may change nothing, by rule name: exploration settings that are the ones the
    campaign or recommender already serves with (its own, or Personalize's defaults 0.3 / 30
    days), or, on the local engine, what kept exploration from adding an item
    (``pg.exploration_unchanged_why``); and for a filter, why it left every list as it was
    (``pg.filter_unchanged_why``)."""
    why = {}
    if filter_why := pg.filter_unchanged_why(rules.filter_expression):
        why[RULE_NAMES[FILTER]] = filter_why
    return why | _exploration_why(campaign, rules, top_n)


def _exploration_why(campaign: CampaignInfo, rules: InlineRules, top_n: int) -> dict[str, str]:
    """Why the tried exploration may change nothing (``unchanged_why``), by rule name."""
    if rules.exploration is None:
        return {}
    failure = (
        _("Could not read the recommender")
        if campaign.is_recommender
        else _("Could not read the campaign")
    )
    with shown_errors(failure):
        weight, age = pg.served_exploration(deps.service(), campaign.arn)
        tried = rules.exploration
        tried_weight = float(tried["explorationWeight"])
        tried_age = float(tried["explorationItemAgeCutOff"])
        if (tried_weight, tried_age) != (weight, age) and deps.settings().is_local:
            pool = exploration_pool(deps.settings(), campaign.arn, tried_weight, tried_age, top_n)
            why = pg.exploration_unchanged_why(
                tried_weight, tried_age, pool.new, pool.candidates, pool.slots, pool.latest
            )
            return {RULE_NAMES[EXPLORATION]: why}
        if (tried_weight, tried_age) == (weight, age):
            same = (
                _(
                    "these are the settings the recommender already serves with (weight "
                    "{weight}, cut-off {days} days; Personalize's defaults when none are set), "
                    "so the list is the one shoppers get now"
                )
                if campaign.is_recommender
                else _(
                    "these are the settings the campaign already serves with (weight {weight}, "
                    "cut-off {days} days; Personalize's defaults when none are set), so the "
                    "list is the one shoppers get now"
                )
            )
            return {RULE_NAMES[EXPLORATION]: same.format(weight=f"{weight:g}", days=f"{age:g}")}
    return {}
