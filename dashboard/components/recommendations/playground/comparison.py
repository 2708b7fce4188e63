"""The rule playground's comparison: the share of the list each rule changed, then each user's
list before and after the rules side by side, with what changed at each position and which
items the promotion placed (and why those can sit lower than without it).
"""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from dashboard.components.recommendations.playground.rule_fields import FILTER, RULE_NAMES
from dashboard.components.recommendations.products import show_products
from dashboard.components.text import md_escape
from services.evaluation import playground as pg
from services.evaluation.sampling import ItemCatalog
from services.i18n import N_, _, formats, translated

MARKS = {"left": N_("left"), "entered": N_("entered"), "up": N_("up {n}"), "down": N_("down {n}")}


def _mark(mark: str, promoted: bool = False) -> str:
    """A ``ListDiff.marks`` mark in the reader's language, led by "★ promoted" for an item
    the promotion placed."""
    text = ""
    if mark:
        word, _sep, n = mark.partition(" ")
        text = _(MARKS[word]).format(n=n)
    if promoted:
        return f"{_(pg.PROMOTED_MARK)} · {text}" if text else _(pg.PROMOTED_MARK)
    return text


def _side_by_side(d: pg.ListDiff, promoted: frozenset[str], catalog: ItemCatalog) -> None:
    """The user's list before and after the rules, each as the grid's product table (picture,
    name, ID, price, category; compact, for half the page) led by what changed at each
    position; in the after list, the items the promotion placed (``promoted``) are marked."""
    before, after = d.marks()
    after_marks = [_mark(m, i in promoted) for i, m in zip(d.after, after, strict=True)]
    for col, side, title, items, marks, header in zip(
        st.columns(2),
        ("before", "after"),
        (_("Before"), _("After")),
        (d.before, d.after),
        ([_mark(m) for m in before], after_marks),
        (_("change (before)"), _("change (after)")),
        strict=True,
    ):
        with col:
            st.caption(title)
            show_products(
                list(items),
                catalog,
                f"pg_{side}_{d.user}",
                ranked=True,
                extra={header: marks},
                compact=True,
            )


def show_comparison(
    users: list[str],
    before: dict[str, pg.RankedList],
    after: dict[str, pg.RankedList],
    singles: dict[str, dict[str, pg.RankedList]],
    catalog: ItemCatalog,
    known_users: Collection[str] | None,
    why: dict[str, str] | None = None,
) -> None:
    """The share of the list each rule made new, with the moves (with ``why``: rule name ->
    why it changes nothing, said when it does not), then each user's lists side by side; a
    user not in the interactions gets Personalize's popular-items fallback, said above the
    lists. When the promotion placed items, a caption beside the lists says where Personalize
    places them."""
    shares = []
    for name, lists in singles.items():
        change = pg.list_change([pg.diff(u, before[u].items, lists[u].items) for u in users])
        text = translated(pg.LIST_CHANGE, change.slots).format(
            rule=_(name),
            share=formats.share(change.share_new),
            new=change.new,
            slots=change.slots,
            moved=change.moved,
        )
        if not change.new and (why or {}).get(name):
            text += " — " + md_escape((why or {})[name])
        shares.append(text)
    st.markdown(" · ".join(shares))
    if any(after[u].promoted for u in users):
        st.caption(_(pg.PROMOTED_PLACEMENT))
        if RULE_NAMES[FILTER] in singles:
            st.caption(_(pg.PROMOTED_FILTER_SCOPE))
    for d in (pg.diff(u, before[u].items, after[u].items) for u in users):
        st.markdown(
            _("**{user}**: {entered} entered, {left} left, {moved} moved").format(
                user=md_escape(d.user),
                entered=len(d.entered),
                left=len(d.left),
                moved=len(d.moved),
            )
        )
        if known_users is not None and d.user not in known_users:
            st.info(
                _(
                    "{user} is unknown to the model: these are the fallback (popular) items, "
                    "the same for every customer it does not know."
                ).format(user=md_escape(d.user)),
                icon=":material/person_off:",
            )
        _side_by_side(d, after[d.user].promoted, catalog)
