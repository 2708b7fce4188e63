"""Item-level tools: similar items (related-items campaigns or recommenders) and ranking a
pasted list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.errors import shown_errors
from dashboard.components.recommendations import products
from dashboard.components.text import md_escape
from dashboard.components.widget_scope import follow_default
from services.evaluation.sampling import ItemCatalog, parse_ids
from services.i18n import N_, _, ngettext
from services.personalize.models import RecommendationList
from services.workspace.catalog import CampaignInfo
from services.workspace.serving import Serves

MAX_SIMILAR = 25


_HEADERS = {"rank": N_("rank"), "score": N_("score"), "in catalog": N_("in catalog")}


def _headers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its column names in the reader's language, for display."""
    return products.headers(table).rename(columns={k: _(v) for k, v in _HEADERS.items()})


def _table(recs: RecommendationList, catalog: ItemCatalog) -> pd.DataFrame:
    """rank, the product's columns (``products.HEADERS``), score."""
    return pd.DataFrame(
        [
            {"rank": rank, **products.product_fields(catalog, rec.item_id), "score": rec.score}
            for rank, rec in enumerate(recs.items, start=1)
        ],
        columns=["rank", *products.HEADERS, "score"],
    )


def _show(table: pd.DataFrame, key: str) -> None:
    st.dataframe(
        _headers(table),
        hide_index=True,
        column_config=products.column_config(table["item_id"].astype(str).tolist()),
        row_height=products.ROW_HEIGHT,
        key=key,
    )


@dataclass(frozen=True)
class _Tool:
    """A tool's heading, why it cannot answer without a source (and what to create), the
    label and widget key of its source pick; texts marked for the catalogue. ``none`` and
    ``pick_label`` are in the words of what the group serves (campaigns, recommenders or
    both: ``services.workspace.serving``)."""

    title: str
    none: Mapping[Serves, str]
    pick_label: Mapping[Serves, str]
    pick_key: str


_SIMILAR_NO_CAMPAIGN = N_(
    "No similar-items campaign in this group: train aws-similar-items (or aws-sims) "
    "and deploy it on Operations to see related items here."
)
_SIMILAR = _Tool(
    N_("Similar items"),
    {
        Serves.CAMPAIGNS: _SIMILAR_NO_CAMPAIGN,
        Serves.RECOMMENDERS: N_(
            "No recommender in this group gives items related to an item: create one for a "
            "related-items use case (such as Customers who viewed X also viewed, or More like "
            "X) to see related items here."
        ),
        Serves.BOTH: _SIMILAR_NO_CAMPAIGN,
    },
    {
        Serves.CAMPAIGNS: N_("Similar-items campaign"),
        Serves.RECOMMENDERS: N_("Similar-items recommender"),
        Serves.BOTH: N_("Similar-items campaign or recommender"),
    },
    "rec_sims_campaign",
)
_RANKING_NO_CAMPAIGN = N_(
    "No campaign can rank items in this group: only campaigns of a "
    "personalized-ranking recipe (aws-personalized-ranking, "
    "aws-personalized-ranking-v2) answer "
    "GetPersonalizedRanking. Train one and deploy it on Operations."
)
_RANKING = _Tool(
    N_("Rank a list for a user"),
    {
        Serves.CAMPAIGNS: _RANKING_NO_CAMPAIGN,
        Serves.RECOMMENDERS: N_(
            "Recommenders do not rank a given list: GetPersonalizedRanking is for custom "
            "solutions only, and this group serves through recommenders."
        ),
        Serves.BOTH: _RANKING_NO_CAMPAIGN,
    },
    {s: N_("Ranking campaign") for s in Serves},  # recommenders never rank
    "rec_rank_campaign",
)


def _opening(
    tool: _Tool, campaigns: Sequence[CampaignInfo], serving: Serves
) -> CampaignInfo | None:
    """The tool's heading and the source it asks: None (and why) without one, else the one
    campaign or recommender, or the one picked."""
    st.subheader(_(tool.title))
    if not campaigns:
        st.info(_(tool.none[serving]))
        return None
    if len(campaigns) == 1:
        only = campaigns[0]
        text = (
            _("Recommender: {recommender}").format(recommender=md_escape(only.label))
            if only.is_recommender
            else _("Campaign: {campaign}").format(campaign=md_escape(only.label))
        )
        st.caption(text)
        return only
    names = [c.label for c in campaigns]
    label = _(tool.pick_label[serving])
    return campaigns[names.index(st.selectbox(label, names, key=tool.pick_key))]


def similar_items(
    campaigns: Sequence[CampaignInfo],
    catalog: ItemCatalog,
    default_item: str,
    default_user: str = "",
    serving: Serves = Serves.CAMPAIGNS,
    *,
    group_arn: str,
) -> None:
    """Items related to one item, with a check of how many share its category; a recommender
    whose use case also needs a userId is asked for ``default_user`` (editable); ``serving``:
    what the group serves through, for the words; ``group_arn``: the group the defaults are
    of (a switch of group refills the fields)."""
    campaign = _opening(_SIMILAR, campaigns, serving)
    if campaign is None:
        return
    left, right = st.columns([3, 1])
    follow_default("rec_sims_item", default_item, group_arn)
    item = left.text_input(_("Item ID"), key="rec_sims_item").strip()
    n = right.number_input(_("How many"), 1, MAX_SIMILAR, 10, key="rec_sims_n")
    user = None
    if campaign.needs_user_for_items:
        follow_default("rec_sims_user", default_user, group_arn)
        user = st.text_input(
            _("User ID (this use case leaves out what the user already bought or watched)"),
            key="rec_sims_user",
        ).strip()
    if not item or user == "":
        return
    with shown_errors(_("Similar items")):
        recs = deps.service().get_recommendations(
            campaign.arn, user_id=user, item_id=item, num_results=int(n)
        )
        st.markdown(_("Items similar to **{item}**").format(item=md_escape(catalog.label(item))))
        if item not in catalog and (catalog.names or catalog.categories):
            fallback = (
                _("{item} is not in the Items data: the recommender falls back to popular items.")
                if campaign.is_recommender
                else _("{item} is not in the Items data: the campaign falls back to popular items.")
            )
            st.caption(fallback.format(item=md_escape(item)))
        table = _table(recs, catalog)
        if table["score"].isna().all():  # related-items recipes return no scores
            table = table.drop(columns="score")
        own = catalog.categories.get(item)
        if own and len(table):
            same = int((table["category"] == own).sum())
            st.caption(
                ngettext(
                    "{same} of {count} shares its category {category}.",
                    "{same} of {count} share its category {category}.",
                    same,
                ).format(same=same, count=len(table), category=md_escape(own))
            )
        _show(table, "rec_sims_table")


def ranking(
    campaigns: Sequence[CampaignInfo],
    catalog: ItemCatalog,
    default_user: str,
    default_items: str,
    serving: Serves = Serves.CAMPAIGNS,
    *,
    group_arn: str,
) -> None:
    """A pasted list of items re-ordered for one user; unknown items come last.

    ``campaigns``: campaigns of PERSONALIZED_RANKING recipes (``Catalog.rankers``), the only
    ones GetPersonalizedRanking accepts; ``serving``: what the group serves through;
    ``group_arn``: the group the defaults are of (a switch of group refills the fields)."""
    campaign = _opening(_RANKING, campaigns, serving)
    if campaign is None:
        return
    left, right = st.columns([1, 3])
    follow_default("rec_rank_user", default_user, group_arn)
    follow_default("rec_rank_items", default_items, group_arn)
    user = left.text_input(_("User ID"), key="rec_rank_user").strip()
    text = right.text_area(_("Item IDs to rank"), key="rec_rank_items", height=80)
    items = parse_ids(text)
    if not user or not items:
        st.caption(_("Give a user ID and at least one item ID."))
        return
    with shown_errors(_("Ranking")):
        recs = deps.service().get_personalized_ranking(campaign.arn, user, items[:500])
        table = _table(recs, catalog)
        if catalog.names or catalog.categories:
            table["in catalog"] = [item in catalog for item in table["item_id"]]
        _show(table, "rec_rank_table")
        st.caption(_("Items the model does not know are appended last with score 0."))
