"""Item-level tools: similar items (related-items campaigns) and ranking a pasted list."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.errors import shown_errors
from dashboard.components.text import md_escape
from services.evaluation.sampling import ItemCatalog, parse_ids
from services.personalize.models import RecommendationList
from services.workspace.catalog import CampaignInfo

MAX_SIMILAR = 25


def _table(recs: RecommendationList, catalog: ItemCatalog) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "item_id": rec.item_id,
                "name": catalog.names.get(rec.item_id, ""),
                "category": catalog.categories.get(rec.item_id, ""),
                "score": rec.score,
            }
            for rank, rec in enumerate(recs.items, start=1)
        ],
        columns=["rank", "item_id", "name", "category", "score"],
    )


def _pick(campaigns: Sequence[CampaignInfo], label: str, key: str) -> CampaignInfo:
    if len(campaigns) == 1:
        st.caption(f"Campaign: {md_escape(campaigns[0].label)}")
        return campaigns[0]
    names = [c.label for c in campaigns]
    return campaigns[names.index(st.selectbox(label, names, key=key))]


def similar_items(
    campaigns: Sequence[CampaignInfo],
    catalog: ItemCatalog,
    default_item: str,
    default_user: str = "",
) -> None:
    """Items related to one item, with a check of how many share its category; a recommender
    whose use case also needs a userId is asked for ``default_user`` (editable)."""
    st.subheader("Similar items")
    if not campaigns:
        st.info(
            "No similar-items campaign in this group: train aws-similar-items (or aws-sims) and "
            "deploy it on Operations to see related items here."
        )
        return
    campaign = _pick(campaigns, "Similar-items campaign", "rec_sims_campaign")
    left, right = st.columns([3, 1])
    item = left.text_input("Item ID", value=default_item, key="rec_sims_item").strip()
    n = right.number_input("How many", 1, MAX_SIMILAR, 10, key="rec_sims_n")
    user = None
    if campaign.needs_user_for_items:
        user = st.text_input(
            "User ID (this use case leaves out what the user already bought or watched)",
            value=default_user,
            key="rec_sims_user",
        ).strip()
    if not item or user == "":
        return
    with shown_errors("Similar items"):
        recs = deps.service().get_recommendations(
            campaign.arn, user_id=user, item_id=item, num_results=int(n)
        )
        st.markdown(f"Items similar to **{md_escape(catalog.label(item))}**")
        if item not in catalog and (catalog.names or catalog.categories):
            st.caption(
                f"{md_escape(item)} is not in the Items data: the campaign falls back to popular "
                "items."
            )
        table = _table(recs, catalog)
        if table["score"].isna().all():  # related-items recipes return no scores
            table = table.drop(columns="score")
        own = catalog.categories.get(item)
        if own and len(table):
            same = int((table["category"] == own).sum())
            st.caption(f"{same} of {len(table)} share its category {md_escape(own)}.")
        st.dataframe(table, hide_index=True, key="rec_sims_table")


def ranking(
    campaigns: Sequence[CampaignInfo], catalog: ItemCatalog, default_user: str, default_items: str
) -> None:
    """A pasted list of items re-ordered for one user; unknown items come last.

    ``campaigns``: campaigns of PERSONALIZED_RANKING recipes (``Catalog.rankers``), the only
    ones GetPersonalizedRanking accepts."""
    st.subheader("Rank a list for a user")
    if not campaigns:
        st.info(
            "No campaign can rank items in this group: only campaigns of a personalized-ranking "
            "recipe (aws-personalized-ranking, aws-personalized-ranking-v2) answer "
            "GetPersonalizedRanking. Train one and deploy it on Operations."
        )
        return
    campaign = _pick(campaigns, "Ranking campaign", "rec_rank_campaign")
    left, right = st.columns([1, 3])
    user = left.text_input("User ID", value=default_user, key="rec_rank_user").strip()
    text = right.text_area("Item IDs to rank", value=default_items, key="rec_rank_items", height=80)
    items = parse_ids(text)
    if not user or not items:
        st.caption("Give a user ID and at least one item ID.")
        return
    with shown_errors("Ranking"):
        recs = deps.service().get_personalized_ranking(campaign.arn, user, items[:500])
        table = _table(recs, catalog)
        if catalog.names or catalog.categories:
            table["in catalog"] = [item in catalog for item in table["item_id"]]
        st.dataframe(table, hide_index=True, key="rec_rank_table")
        st.caption("Items the model does not know are appended last with score 0.")
