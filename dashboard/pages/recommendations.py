"""Recommendations: do these make sense, and does everybody get the same items?"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import streamlit as st

from dashboard import deps, reads
from dashboard.components.cut_short import show_cut_short
from dashboard.components.errors import shown_errors
from dashboard.components.formatting import version_name
from dashboard.components.group_picker import caption_with_refresh, group_picker
from dashboard.components.page_tabs import TAB_PARAM, url_radio
from dashboard.components.recommendations import grid as rec_grid
from dashboard.components.recommendations import preview as rec_preview
from dashboard.components.recommendations import segments as rec_segments
from dashboard.components.recommendations import tools as rec_tools
from dashboard.components.recommendations.playground import section as rec_playground
from dashboard.components.recommendations.preview import version_choice
from dashboard.components.recommendations.sample import UNKNOWN, pick_users, show_finding
from dashboard.components.serving_words import WORDS
from services.errors import ServiceError
from services.evaluation.inspection import (
    SAMPLE_TOP_N,
    UserRecommendations,
    agreement,
    assess,
    recommend_for_users,
)
from services.evaluation.sampling import ItemCatalog
from services.i18n import N_, _, formats, ngettext
from services.workspace.catalog import CampaignInfo
from services.workspace.overview import waiting_version_id
from services.workspace.popular_lists import fallback_vs_popularity, list_origin
from services.workspace.recipe_capabilities import POPULARITY_RECIPES, same_list_by_design
from services.workspace.serving import serves


def _by_design(campaign: CampaignInfo) -> bool:
    return same_list_by_design(campaign.recipe, campaign.recipe_type)


VERSION = N_("A version without a campaign")

st.title(_("Recommendations"))
caption_with_refresh(
    _("Do these recommendations make sense? Does everybody get the same items?"),
    "rec_refresh",
    data=True,  # an item imported since the last snapshot is named, not "unknown"
)

group = group_picker("rec_group")
if group is None:
    st.stop()  # no group yet, or the groups could not be read: the picker said which

cat = reads.catalog(group.arn)
if cat is None:
    st.stop()

data = reads.group_data(group.arn)
if data is None:
    st.caption(
        _(
            "Without the data there is no sampling by activity, no history and no item names; "
            "type user IDs instead."
        )
    )
items = data.catalog if data else ItemCatalog.from_frame(None)
# One row per user (counts, latest event), not every interaction: what sampling needs.
# The local engine reads it on demand, so a damaged data file is named here, not a traceback.
activity = None
if data and data.has_interactions:
    with shown_errors(_("Could not read the users' activity")):
        activity = data.user_activity
if activity is not None and not len(activity):
    activity = None

# "campaign" or "recommender" (and "recipe" or "use case"), as the group serves
serving = serves(
    domain=group.domain,
    campaigns=sum(not c.is_recommender for c in cat.campaigns),
    recommenders=sum(c.is_recommender for c in cat.campaigns),
)
words = WORDS[serving]
# Options are the English labels (stable values); the radio shows them translated.
ONE, TWO = words.one, words.two
MODES = {"one": ONE, "compare": TWO, "version": VERSION}  # their names in a link: ?tab=compare
user_campaigns = cat.for_users()
# Personalised campaigns first: they are the ones whose lists can collapse into the baseline.
user_campaigns.sort(key=lambda c: (c.recipe in POPULARITY_RECIPES, c.name))
modes = [m for m, ok in ((ONE, user_campaigns), (TWO, len(user_campaigns) > 1)) if ok]
previewable = cat.previewable()
modes += [VERSION] if previewable else []
sampled: list[str] = []  # the users the lists were drawn for, offered to the rule playground

if not modes:
    st.info(_(words.none))
else:
    mode = url_radio(_("Recommendations from"), MODES, modes, "rec_mode")
    if st.query_params.get(TAB_PARAM) == "compare" and TWO not in modes:
        # a link asked for a comparison the group cannot offer (trial s14, finding 4)
        st.info(_(words.needs_two).format(count=formats.count(len(user_campaigns))))
    labels = [c.label for c in user_campaigns]
    chosen: list[CampaignInfo] = []
    if mode == ONE:
        picked_source = st.selectbox(_(words.source), labels, key="rec_a")
        chosen = [user_campaigns[labels.index(picked_source)]]
    elif mode == TWO:
        left, right = st.columns(2)
        a = left.selectbox(_(words.source_a), labels, index=0, key="rec_a2")
        b = right.selectbox(_(words.source_b), labels, index=1, key="rec_b2")
        chosen = [user_campaigns[labels.index(a)], user_campaigns[labels.index(b)]]
    else:
        if len(previewable) < len(cat.versions):
            hidden = len(cat.versions) - len(previewable)
            st.caption(
                ngettext(
                    "{count} version is not listed: its recipe answers for an item or a list "
                    "of items, or cannot run a batch job.",
                    "{count} versions are not listed: their recipe answers for an item or a "
                    "list of items, or cannot run a batch job.",
                    hidden,
                ).format(count=formats.count(hidden))
            )
        version_labels = [version_choice(v) for v in previewable]
        personal = [
            i for i, v in enumerate(previewable) if not same_list_by_design(v.recipe, v.recipe_type)
        ]
        picked = st.selectbox(
            _("Solution version"), version_labels, index=personal[0] if personal else 0, key="rec_v"
        )
        version = previewable[version_labels.index(picked)]

    # what answers the lists: typed IDs are checked against the users of each served version
    served = (
        [(c.name, None if c.is_recommender else c.version_arn) for c in chosen]
        if mode != VERSION
        else [(version.solution, version.arn)]
    )
    sample = pick_users(activity, "rec", served)
    sampled = list(sample.users)
    top_n = st.slider(_("Top N"), 1, 25, SAMPLE_TOP_N, key="rec_top_n")
    show_finding(sample)
    # Offered in One / Compare mode: a batch preview of a version takes no filter here.
    picked_filter = rec_grid.filter_picker(group.arn, "rec") if mode != VERSION else (None, {})
    new_users = sample.how == UNKNOWN  # the cold-start check: identical lists are expected
    history = None
    if data and activity is not None:
        with shown_errors(_("Could not read the users' latest items")):
            history = data.recent_history(sample.users)

    def draw(
        results: Sequence[UserRecommendations],
        title: str,
        key: str,
        by_design: bool,
        grid: bool = True,
        newer: str | None = None,
        version_arn: str | None = None,
    ) -> None:
        """Verdict, heatmap and (with ``grid``) grid of one source's lists; ``by_design``: a
        recipe that gives everyone the same list; ``version_arn``: the version that answered
        (None: a recommender)."""
        baseline = None
        pop = cat.popularity
        if (
            pop is not None
            and not by_design
            and not new_users
            and all(c.arn != pop.arn for c in chosen)
            and results
        ):
            try:
                baseline = (
                    deps.service()
                    .get_recommendations(pop.arn, user_id=results[0].user_id, num_results=top_n)
                    .item_ids
                )
            except ServiceError:
                baseline = None  # the baseline only adds a number; the verdict stands without it
        verdict = assess(
            results,
            top_n,
            baseline,
            same_by_design=by_design,
            new_users=new_users,
            newer_version=newer,
        )
        why = None
        if verdict.popular_fillers and baseline is not None and pop and not pop.is_recommender:
            origins = (version_arn, pop.version_arn)
            known = reads.version_data(tuple(a for a in origins if a)) or {}
            why = fallback_vs_popularity(*(list_origin(a, cat.versions, known) for a in origins))
        rec_grid.verdict_banner(verdict, title, pop if baseline is not None else None, why)
        if version_arn:  # in every view that shows this version's lists, Compare's included
            one = ((version_name(version_arn), version_arn),)
            show_cut_short(one, reads.version_data((version_arn,)) or {}, lists=True)
        rec_grid.heatmap(results, top_n, key=f"{key}_heatmap")
        if grid:
            rec_grid.show_grid(results, history if key == "a" else None, items, top_n, key)

    def waiting(campaign: CampaignInfo) -> str | None:
        """The newer version ``campaign`` does not serve yet (the verdict blames it first)."""
        if campaign.is_recommender:
            return None
        return waiting_version_id(reads.overview() or [], group.arn, campaign.arn)

    if not sample.users:
        st.info(_("Type at least two user IDs (one per line) to compare their recommendations."))
    elif picked_filter is None:
        st.info(_("Correct the filter parameters to see the recommendations."))
    elif mode in (ONE, TWO):
        svc = deps.service()
        filter_arn, filter_values = picked_filter
        fetched = [
            recommend_for_users(
                svc,
                c.arn,
                sample.users,
                num_results=top_n,
                metadata_columns=cat.metadata_columns(c),
                filter_arn=filter_arn,
                filter_values=filter_values or None,
            )
            for c in chosen
        ]
        if mode == ONE:
            draw(
                fetched[0],
                chosen[0].name,
                "a",
                _by_design(chosen[0]),
                newer=waiting(chosen[0]),
                version_arn=chosen[0].version_arn,
            )
        else:
            agreed = rec_grid.agreement_caption(
                chosen[0].name, chosen[1].name, agreement(fetched[0], fetched[1], top_n)
            )
            if agreed:
                st.caption(agreed)
            cols = st.columns(2)
            for col, campaign, results, key in zip(cols, chosen, fetched, "ab", strict=True):
                with col:
                    draw(
                        results,
                        campaign.name,
                        key,
                        _by_design(campaign),
                        grid=False,
                        newer=waiting(campaign),
                        version_arn=campaign.version_arn,
                    )
            # one grid, the two lists of each user on consecutive rows: rank k of A above B's
            rec_grid.show_compare_grid(
                [(c.name, r) for c, r in zip(chosen, fetched, strict=True)], history, items, top_n
            )
    else:
        rec_preview.preview(
            version,
            sample.users,
            lambda results: draw(
                results,
                _("{solution} (batch preview)").format(solution=version.solution),
                "a",
                same_list_by_design(version.recipe, version.recipe_type),
                version_arn=version.arn,
            ),
        )

st.divider()
known = data.known_users if data and activity is not None else None
rec_playground.playground(group.arn, user_campaigns, sampled, 10, items, known, words.source)
st.divider()
popular: list[str] = []  # the most interacted-with items, most first
if data and activity is not None:
    with shown_errors(_("Could not read the most popular items")):
        popular = data.long_tail["item"].head(8).astype(str).tolist()
default_item = popular[0] if popular else ""
default_user = str(activity["user"].iloc[0]) if activity is not None else ""
rec_tools.similar_items(
    cat.for_items(), items, default_item, default_user, serving, group_arn=group.arn
)
st.divider()
rec_segments.who_should_get_this(cat.versions, default_item, group.arn)
st.divider()
known_items = list(itertools.islice(items.names or items.categories, 8)) or popular
rec_tools.ranking(
    cat.rankers(),
    items,
    default_user,
    "\n".join([*known_items, "not-in-catalog"]),
    serving,
    group_arn=group.arn,
)
