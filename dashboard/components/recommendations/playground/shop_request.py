"""The rule playground's hand-over: the GetRecommendations parameters a shop backend sends to
serve with the rules, once their filters exist (picked on AWS, or saved in this session)."""

from __future__ import annotations

import streamlit as st

from dashboard.components.recommendations.playground.rule_fields import FILTER, PROMOTION
from dashboard.components.recommendations.playground.writes import SAVED_KEY
from services.datasets.local_engine.preview import InlineRules
from services.evaluation import playground as pg
from services.i18n import N_, _
from services.workspace.catalog import CampaignInfo

# (filter unsaved, promotion's filter unsaved, both rules typed) -> what is still to save:
# after one of two saves the page names the other (trial s11, F8), the button's own words
_STILL_UNSAVED = {
    (True, True, True): N_(
        "Save the filter and the promotion's filter to see the GetRecommendations "
        "parameters to send."
    ),
    (True, False, True): N_(
        "The promotion's filter is saved; save the filter too to see the GetRecommendations "
        "parameters to send."
    ),
    (False, True, True): N_(
        "The filter is saved; save the promotion's filter too to see the GetRecommendations "
        "parameters to send."
    ),
    (True, False, False): N_("Save the filter to see the GetRecommendations parameters to send."),
    (False, True, False): N_(
        "Save the promotion's filter to see the GetRecommendations parameters to send."
    ),
}


def shop_request(
    campaign: CampaignInfo,
    top_n: int,
    rules: InlineRules,
    promo: str,
    percent: int,
    arns: dict[str, str | None],
) -> None:
    """The parameters as JSON when every typed rule has a filter: ``arns`` picked (filter and
    promotion keys) or a filter saved for the typed expression; else a caption naming the
    rule whose filter is still to save; nothing without a rule."""
    saved = st.session_state.get(SAVED_KEY, {})
    typed = rules.filter_expression
    filter_arn = arns.get(FILTER) or (saved.get(typed) if typed else None)
    promo_arn = arns.get(PROMOTION) or (saved.get(promo) if promo else None)
    unsaved_filter = bool(typed) and not filter_arn
    unsaved_promo = bool(promo) and not promo_arn
    if unsaved_filter or unsaved_promo:
        st.caption(_(_STILL_UNSAVED[(unsaved_filter, unsaved_promo, bool(typed and promo))]))
    elif filter_arn or promo_arn:
        _parameters(campaign, top_n, filter_arn, rules, promo_arn, percent)


def _parameters(
    campaign: CampaignInfo,
    top_n: int,
    filter_arn: str | None,
    rules: InlineRules,
    promo_arn: str | None,
    percent: int,
) -> None:
    """The GetRecommendations parameters a shop backend sends, as JSON."""
    promotions = []
    if promo_arn:
        promotions = [pg.promotion("promotion", percent, promo_arn, rules.promotion_values)]
    params = pg.request_parameters(
        campaign.arn,
        top_n,
        filter_arn=filter_arn,
        values=rules.filter_values,
        promotions=promotions,
    )
    st.markdown(_("GetRecommendations parameters for the shop's backend:"))
    st.code(pg.as_json(params), language="json")
