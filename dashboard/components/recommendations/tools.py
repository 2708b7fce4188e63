"""Item-level tools: similar items (related-items campaigns) and ranking a pasted list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.errors import shown_errors
from dashboard.components.recommendations import products
from dashboard.components.text import md_escape
from services.evaluation.sampling import ItemCatalog, parse_ids
from services.i18n import N_, _, ngettext
from services.personalize.models import RecommendationList
from services.workspace.catalog import CampaignInfo

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
    """A tool's heading, why it cannot answer without a campaign (and what to deploy), the
    label and widget key of its campaign pick; texts marked for the catalogue."""

    title: str
    none: str
    pick_label: str
    pick_key: str


_SIMILAR = _Tool(
    N_("Similar items"),
    N_(
        "No similar-items campaign in this group: train aws-similar-items (or aws-sims) "
        "and deploy it on Operations to see related items here."
    ),
    N_("Similar-items campaign"),
    "rec_sims_campaign",
)
_RANKING = _Tool(
    N_("Rank a list for a user"),
    N_(
        "No campaign can rank items in this group: only campaigns of a "
        "personalized-ranking recipe (aws-personalized-ranking, "
        "aws-personalized-ranking-v2) answer "
        "GetPersonalizedRanking. Train one and deploy it on Operations."
    ),
    N_("Ranking campaign"),
    "rec_rank_campaign",
)


def _opening(tool: _Tool, campaigns: Sequence[CampaignInfo]) -> CampaignInfo | None:
    """The tool's heading and the campaign it asks: None (and why) without a campaign, else
    the one campaign or the one picked."""
    st.subheader(_(tool.title))
    if not campaigns:
        st.info(_(tool.none))
        return None
    if len(campaigns) == 1:
        st.caption(_("Campaign: {campaign}").format(campaign=md_escape(campaigns[0].label)))
        return campaigns[0]
    names = [c.label for c in campaigns]
    return campaigns[names.index(st.selectbox(_(tool.pick_label), names, key=tool.pick_key))]


def similar_items(
    campaigns: Sequence[CampaignInfo],
    catalog: ItemCatalog,
    default_item: str,
    default_user: str = "",
) -> None:
    """Items related to one item, with a check of how many share its category; a recommender
    whose use case also needs a userId is asked for ``default_user`` (editable)."""
    campaign = _opening(_SIMILAR, campaigns)
    if campaign is None:
        return
    left, right = st.columns([3, 1])
    item = left.text_input(_("Item ID"), value=default_item, key="rec_sims_item").strip()
    n = right.number_input(_("How many"), 1, MAX_SIMILAR, 10, key="rec_sims_n")
    user = None
    if campaign.needs_user_for_items:
        user = st.text_input(
            _("User ID (this use case leaves out what the user already bought or watched)"),
            value=default_user,
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
            st.caption(
                _(
                    "{item} is not in the Items data: the campaign falls back to popular items."
                ).format(item=md_escape(item))
            )
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
    campaigns: Sequence[CampaignInfo], catalog: ItemCatalog, default_user: str, default_items: str
) -> None:
    """A pasted list of items re-ordered for one user; unknown items come last.

    ``campaigns``: campaigns of PERSONALIZED_RANKING recipes (``Catalog.rankers``), the only
    ones GetPersonalizedRanking accepts."""
    campaign = _opening(_RANKING, campaigns)
    if campaign is None:
        return
    left, right = st.columns([1, 3])
    user = left.text_input(_("User ID"), value=default_user, key="rec_rank_user").strip()
    text = right.text_area(
        _("Item IDs to rank"), value=default_items, key="rec_rank_items", height=80
    )
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
