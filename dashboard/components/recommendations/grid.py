"""Side-by-side recommendations: the verdict, the overlap heatmap and the users × rank grid
of product pictures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import streamlit as st

from dashboard import reads
from dashboard.components.chart_style import cjk_font
from dashboard.components.downloads import csv_download
from dashboard.components.recommendations.product_cards import Grid
from dashboard.components.recommendations.products import show_picture_grid, show_products
from dashboard.components.text import chart_text, md_escape
from services.evaluation import playground as pg
from services.evaluation.inspection import (
    FALLBACK_VS_POPULARITY,
    POPULAR_REASON,
    Agreement,
    UserRecommendations,
    Verdict,
    item_metadata,
    overlap_matrix,
    reason_text,
)
from services.evaluation.sampling import ItemCatalog, grid_frame, has_scores, price_header
from services.i18n import N_, _, current_language, formats, ngettext
from services.workspace.catalog import CampaignInfo
from services.workspace.use_cases import USE_CASE_TITLES


def filter_picker(group_arn: str, key: str) -> tuple[str | None, dict[str, str]] | None:
    """The grid's filter: one of the group's ACTIVE filters (a filter saved in the rule
    playground is offered on the next run) and its parameters.

    Returns ``(filterArn or None, filterValues)`` as GetRecommendations takes them, or None
    while the parameters do not parse (the error is shown at the field).
    """
    filters = reads.active_filters(group_arn) or []
    if not filters:
        return None, {}
    by_arn = {f.arn: f.name for f in filters}
    left, right = st.columns(2)
    arn = left.selectbox(
        _("Filter"),
        [None, *by_arn],
        format_func=lambda a: by_arn[a] if a else _("(none)"),
        key=f"{key}_filter",
    )
    if arn is None:
        return None, {}
    text = right.text_area(
        _("Filter parameters (one per line: NAME = value, value)"),
        key=f"{key}_filter_values",
        height=68,
    )
    try:
        return arn, pg.filter_values(pg.parse_values(text))
    except ValueError as err:
        right.error(str(err))
        return None


_BANNERS = {
    "error": (st.error, ":material/error:"),
    "warning": (st.warning, ":material/warning:"),
    "ok": (st.success, ":material/check_circle:"),
    "info": (st.info, ":material/info:"),
}


def verdict_banner(
    verdict: Verdict,
    title: str,
    baseline: CampaignInfo | None = None,
    why_popular_differ: str | None = None,
) -> None:
    """The verdict coloured by severity, with the numbers behind it; ``baseline``: the
    popularity campaign the lists were compared with; ``why_popular_differ``: which versions
    the two popular lists come from and the data each was trained on
    (``services.workspace.popular_lists``; default: the general reason).

    Two figures speak of "popular" items and each says whose popularity it is, since the two
    lists differ (a trial read "popular items" next to a 0 % overlap as a contradiction): the
    overlap with the popularity campaign's list (its recipe, e.g. aws-popularity-count, counted
    on that campaign's own training data; a personalised campaign that copies it is not
    personalising), and the items the campaign itself served from its version's fallback list
    (reason "Popular item": the items most popular in the data that version was trained on,
    for users it does not know or a list it could not fill)."""
    box, icon = _BANNERS[verdict.severity]
    box(f"**{md_escape(title)}**: {md_escape(verdict.headline)}", icon=icon)
    numbers = [
        ngettext(
            "{users} user compared (top {n})", "{users} users compared (top {n})", verdict.n_users
        ).format(users=formats.count(verdict.n_users), n=verdict.top_n),
        _("largest group with the same list: {count}").format(count=len(verdict.identical.users)),
    ]
    if verdict.mean_jaccard == verdict.mean_jaccard:  # not NaN
        numbers += [
            _("mean overlap (Jaccard) {share}").format(share=formats.share(verdict.mean_jaccard)),
            _("personalisation {share}").format(share=formats.share(verdict.personalization)),
        ]
    if verdict.baseline_jaccard is not None and baseline is not None and baseline.is_recommender:
        title = USE_CASE_TITLES.get(baseline.recipe)
        numbers.append(
            _(
                "overlap with the list of the popularity recommender {recommender} (use case "
                "{use_case}: the items most popular in that recommender's own training data): "
                "{share}"
            ).format(
                recommender=md_escape(baseline.name),
                use_case=md_escape(_(title) if title else baseline.recipe),
                share=formats.share(verdict.baseline_jaccard),
            )
        )
    elif verdict.baseline_jaccard is not None:
        numbers.append(
            _(
                "overlap with the list of the popularity campaign {campaign} ({recipe}: the "
                "items most popular in that campaign's own training data): {share}"
            ).format(
                campaign=md_escape(baseline.name if baseline else "–"),
                recipe=md_escape(baseline.recipe if baseline else "–"),
                share=formats.share(verdict.baseline_jaccard),
            )
        )
    if verdict.popular_fillers:
        shown = verdict.n_users * verdict.top_n
        numbers.append(
            # the noun goes with the items shown ("1 of 1 item", "1 of 40 items"); "came"
            # takes no number
            ngettext(
                "{fillers} of {shown} item came from the version's own fallback list "
                '("{reason}"): the items most popular in the data that version was trained '
                "on, which Personalize serves to users the version does not know or when a "
                "filter leaves too few items; not the popularity campaign's list",
                "{fillers} of {shown} items came from the version's own fallback list "
                '("{reason}"): the items most popular in the data that version was trained '
                "on, which Personalize serves to users the version does not know or when a "
                "filter leaves too few items; not the popularity campaign's list",
                shown,
            ).format(
                fillers=formats.count(verdict.popular_fillers),
                shown=formats.count(shown),
                reason=reason_text(POPULAR_REASON),
            )
        )
    if verdict.popular_fillers and verdict.baseline_jaccard is not None:
        # the note speaks of the popularity campaign: a recommender's overlap says its own
        if baseline is None or not baseline.is_recommender:
            # names typed by people (solutions) are in it: drawn as text
            numbers.append(md_escape(why_popular_differ or _(FALLBACK_VS_POPULARITY)))
    if verdict.n_empty:
        numbers.append(
            ngettext(
                "{count} user got no recommendations",
                "{count} users got no recommendations",
                verdict.n_empty,
            ).format(count=formats.count(verdict.n_empty))
        )
    if verdict.n_errors:
        numbers.append(
            ngettext("{count} user failed", "{count} users failed", verdict.n_errors).format(
                count=formats.count(verdict.n_errors)
            )
        )
    st.caption(" · ".join(numbers))


def heatmap(results: Sequence[UserRecommendations], top_n: int, key: str) -> None:
    """Users × users Jaccard of their top-N: a dark block means the same list. Empty lists
    are left out: two of them would read as "100% shared" (the verdict counts them)."""
    lists = {r.user_id: r.items for r in results if r.ok and r.items}
    if len(lists) < 2:
        return
    matrix = overlap_matrix(lists, top_n)
    users = [chart_text(u) for u in matrix.columns]  # typed IDs: text, not plotly's HTML
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=users,
            y=users,
            zmin=0,
            zmax=1,
            colorscale="Reds",
            colorbar={"title": "Jaccard", "tickformat": ".0%"},
            hovertemplate=_("%{y} vs %{x}: %{z:.0%} shared") + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=_("Overlap of top {n} between users").format(n=top_n),
        height=120 + 22 * len(users),
        margin={"t": 40, "b": 10, "l": 10, "r": 10},
        yaxis={"autorange": "reversed"},
    )
    st.plotly_chart(cjk_font(fig), key=key)


def show_grid(
    results: Sequence[UserRecommendations],
    history: Mapping[str, Sequence[str]] | None,
    catalog: ItemCatalog,
    top_n: int,
    key: str,
) -> None:
    """Recent history over the top-N, both as a users × rank grid of product cards (every
    sampled user a row, the ID on hover, a click on a card shows the product), then every
    recommended product with its name, price and category, and the CSV download of the
    grid."""
    lists = {r.user_id: list(r.items[:top_n]) for r in results if r.ok}
    for res in results:
        if not res.ok:
            st.caption(
                _("{user}: {error}").format(user=md_escape(res.user_id), error=md_escape(res.error))
            )
    if history is not None:
        st.markdown(_("**Recent history** (newest first)"))
        recent = {user: list(history.get(user, []))[:5] for user in lists}
        show_picture_grid(Grid(recent, 5, _("user"), _("latest")), catalog, f"{key}_history")
    st.markdown(_("**Top {n}**").format(n=top_n))
    show_picture_grid(Grid(lists, top_n, _("user"), _("rank")), catalog, f"{key}_grid")
    shown = list(dict.fromkeys(i for items in lists.values() for i in items))
    if shown:
        title = ngettext(
            "The recommended product", "All {count} recommended products", len(shown)
        ).format(count=formats.count(len(shown)))
        with st.expander(title):
            show_products(shown, catalog, f"{key}_products", _reasons(results, top_n))
    metadata = item_metadata(results, top_n)
    if len(metadata):
        st.markdown(_("**Item metadata** (from the recommendations, `metadataColumns`)"))
        st.dataframe(metadata, hide_index=True, key=f"{key}_metadata")
    grid_download(results, catalog, top_n, _("Download grid as CSV"), key)


def show_compare_grid(
    sources: Sequence[tuple[str, Sequence[UserRecommendations]]],
    history: Mapping[str, Sequence[str]] | None,
    catalog: ItemCatalog,
    top_n: int,
) -> None:
    """Two (or more) sources' lists in one grid, row by row: each user's history, then the
    user's list from A, then from B, so the same rank of the two lists stands in one column.
    ``sources``: (name, results) in the order A, B…"""
    letters = "ABCDEFGH"[: len(sources)]
    st.caption(
        " · ".join(
            _("{letter} = {source}").format(letter=letter, source=md_escape(name))
            for letter, (name, _results) in zip(letters, sources, strict=True)
        )
    )
    by_source = [{r.user_id: r for r in results} for _name, results in sources]
    users = list(dict.fromkeys(r.user_id for _name, results in sources for r in results))
    rows: dict[str, list[str]] = {}
    groups: dict[str, str] = {}  # row -> its user: a user's rows stand together
    for user in users:
        if history is not None:
            latest = _("{user} · latest").format(user=user)
            rows[latest], groups[latest] = list(history.get(user, []))[:top_n], user
        for letter, lists in zip(letters, by_source, strict=True):
            res = lists.get(user)
            row = f"{user} · {letter}"
            rows[row], groups[row] = (list(res.items[:top_n]) if res and res.ok else []), user
    st.markdown(_("**Top {n}**, row by row").format(n=top_n))
    show_picture_grid(Grid(rows, top_n, _("user"), _("rank"), groups), catalog, "compare_grid")
    for letter, (name, results) in zip(letters, sources, strict=True):
        grid_download(
            results,
            catalog,
            top_n,
            _("Download {letter} ({source}) as CSV").format(letter=letter, source=md_escape(name)),
            letter.lower(),
        )


def grid_download(
    results: Sequence[UserRecommendations],
    catalog: ItemCatalog,
    top_n: int,
    label: str,
    key: str,
) -> None:
    """The CSV of one source's lists (``grid_frame``: price, score), and why it has no score
    column when the campaign sent none. Outside English the reader may have the columns named
    in the page's language (the default); the English names are the stable ones for scripts."""
    frame = grid_frame(results, catalog, top_n)
    if current_language() != "en" and st.toggle(
        _("Column names in this page's language"), value=True, key=f"{key}_csv_local"
    ):
        frame = frame.rename(columns=_csv_headers(catalog))
    csv_download(frame, label, f"recommendations-{key}.csv", f"{key}_csv")
    if any(r.ok and r.items for r in results) and not has_scores(results, top_n):
        st.caption(
            _(
                "The CSV has no score column: this campaign sent no scores. Personalize "
                "scores the items of User-Personalization and Personalized-Ranking only, not "
                "popularity or related-items lists, nor the popular items it gives a user the "
                "model does not know."
            )
        )


# grid_frame's columns, named for a reader (the price's is named with its currency)
_CSV_HEADERS = {
    "user_id": N_("user ID"),
    "rank": N_("rank"),
    "item_id": N_("item ID"),
    "name": N_("name"),
    "category": N_("category"),
    "score": N_("score"),
    "error": N_("error"),
}


def _csv_headers(catalog: ItemCatalog) -> dict[str, str]:
    """grid_frame's column names -> the reader's language."""
    price = _("price ({currency})").format(currency=catalog.currency)
    return {**{k: _(v) for k, v in _CSV_HEADERS.items()}, price_header(catalog): price}


def _reasons(results: Sequence[UserRecommendations], top_n: int) -> dict[str, str]:
    """Item -> the reasons the service gave for it in any user's top-N ("Popular item", a
    promotion's name), each once, in first-seen order."""
    seen: dict[str, dict[str, None]] = {}
    for res in results:
        for item, why in zip(res.items[:top_n], res.reasons, strict=False):
            if why:
                seen.setdefault(item, {})[reason_text(str(why))] = None
    return {item: " · ".join(whys) for item, whys in seen.items()}


def agreement_caption(a: str, b: str, agreed: Agreement) -> str | None:
    """What the two sources' lists have in common, in plain words: never a share of an empty
    list (``Agreement`` leaves those out and they are said apart); None with nobody to
    compare and nobody left out."""
    names = {"a": md_escape(a), "b": md_escape(b), "n": agreed.top_n}
    parts = []
    if agreed.nothing_shared:
        parts.append(_("{a} and {b} have no item in common in any user's top {n}.").format(**names))
    elif agreed.compared:
        parts.append(
            _(
                "{a} and {b} agree on {shared} of each user's top {n} on average (items in both "
                "lists)."
            ).format(shared=f"{round(agreed.mean_shared, 1):g}", **names)
        )
    elif agreed.empty_a or agreed.empty_b:
        parts.append(
            _("Nothing to compare: no user got recommendations from both {a} and {b}.").format(
                **names
            )
        )
    for source, users in ((a, agreed.empty_a), (b, agreed.empty_b)):
        if users:
            parts.append(
                ngettext(
                    "{count} user got no recommendations from {source}.",
                    "{count} users got no recommendations from {source}.",
                    len(users),
                ).format(count=formats.count(len(users)), source=md_escape(source))
            )
    return " ".join(parts) or None
