"""The rule playground: a filter and a promotion previewed "as this customer", then saved.

How a rule is previewed before it exists, locally and on AWS, is written in
``services.evaluation.playground``; this package only draws. Saving creates a filter (operators
only, confirmed in a dialog, audited); nothing changes what shoppers see until the shop sends
the filter's ARN with the parameters shown.

The section's parts: ``rule_fields`` (the typed rules), ``previews`` (the lists before, after
and with each rule alone), ``comparison`` (what changed, side by side), ``writes`` (save a
filter, apply exploration), ``shop_request`` (the GetRecommendations parameters to send).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import streamlit as st

from dashboard import deps
from dashboard.components.recommendations.playground.comparison import show_comparison
from dashboard.components.recommendations.playground.previews import (
    Lists,
    local_lists,
    saved_filter_pickers,
    served_lists,
    unchanged_why,
)
from dashboard.components.recommendations.playground.rule_fields import (
    FILTER,
    INVALID,
    PROMOTION,
    RULE_NAMES,
    typed_rules,
)
from dashboard.components.recommendations.playground.shop_request import shop_request
from dashboard.components.recommendations.playground.writes import apply_exploration, save_button
from dashboard.components.text import md_escape
from dashboard.components.widget_scope import follow_default
from services.evaluation import playground as pg
from services.evaluation.sampling import ItemCatalog, parse_ids
from services.i18n import N_, _
from services.workspace.catalog import CampaignInfo


def playground(
    group_arn: str,
    campaigns: Sequence[CampaignInfo],
    default_users: Sequence[str],
    top_n: int,
    catalog: ItemCatalog,
    known_users: Collection[str] | None = None,
    source_label: str = N_("Campaign or recommender"),
) -> None:
    """Preview a filter and a promotion for a few users of one campaign or recommender, then
    save them.

    ``campaigns``: campaigns and recommenders answering GetRecommendations for a user (a
    recommender is asked with ``recommenderArn``: filters and promotions apply to every
    domain use case, exploration to Recommended for you and Top picks for you, through
    UpdateRecommender; ``services.evaluation.playground``); ``default_users``: the
    page's sampled users (the first three are offered); ``known_users``: the users of the
    interactions data (None without it), so a customer the model never saw is said to get
    the fallback items; ``source_label``: the pick's label (``N_``-marked), in the words of
    what the group serves (``serving_words``)."""
    st.subheader(_("Try a rule before it goes live"))
    st.caption(
        _(
            "Preview a filter, a promotion or exploration settings as these customers would "
            "see them. Nothing reaches shoppers: the preview creates no filter and changes no "
            "campaign or recommender."
        )
    )
    if not campaigns:
        st.info(_("No campaign or recommender recommends for users in this group yet."))
        return
    labels = [c.label for c in campaigns]
    campaign = campaigns[labels.index(st.selectbox(_(source_label), labels, key="pg_campaign"))]
    # the group's sampled users, refilled on a switch of group (a trial kept the first
    # group's customers); what the person typed for this group is kept
    follow_default("pg_users", "\n".join(default_users[:3]), group_arn)
    users = parse_ids(
        st.text_area(_("Customers (user IDs, one per line)"), key="pg_users", height=90)
    )
    local = deps.settings().is_local
    if not local:
        st.info(
            _(
                "On AWS a filter must exist to be applied: save the expression (operators), "
                "then pick the saved filter to preview it."
            )
        )
    rules, problems, promo, percent = typed_rules(
        pg.explores(campaign.recipe), group_arn if local else None
    )
    for where in (FILTER, PROMOTION):
        if where in problems:
            st.error(md_escape(problems[where]))
    if not users:
        st.caption(_("Give at least one user ID."))
        return
    if local:
        arns: dict[str, str | None] = {}
        lists: Lists | None = None
        if not problems:
            lists = local_lists(campaign, users, top_n, rules, problems)
    else:
        arns = saved_filter_pickers(group_arn)
        lists = served_lists(campaign, users, top_n, rules, arns, percent)
    if lists is not None:
        show_comparison(users, *lists, catalog, known_users, unchanged_why(campaign, rules, top_n))
    # no save while any rule's expression is refused (said at its field): the preview shows
    # an error, and what is saved would not be what was tried
    invalid = "; ".join(
        f"{_(RULE_NAMES[key])}: {problems[INVALID + key]}"
        for key in (FILTER, PROMOTION)
        if INVALID + key in problems
    )
    for key, expression, label in (
        (FILTER, rules.filter_expression, _("Save the filter…")),
        (PROMOTION, rules.promotion_expression, _("Save the promotion's filter…")),
    ):
        if expression:
            save_button(group_arn, expression, key, label, invalid or None)
    shop_request(campaign, top_n, rules, promo, percent, arns)
    if rules.exploration is not None:
        apply_exploration(campaign, rules.exploration)
