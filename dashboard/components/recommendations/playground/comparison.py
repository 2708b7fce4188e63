"""The rule playground's comparison: the share of the list each rule changed, then each user's
list before and after the rules side by side, with what changed at each position.
"""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from dashboard.components.recommendations.products import show_products
from dashboard.components.text import md_escape
from services.evaluation import playground as pg
from services.evaluation.sampling import ItemCatalog
from services.i18n import N_, _, formats

MARKS = {"left": N_("left"), "entered": N_("entered"), "up": N_("up {n}"), "down": N_("down {n}")}


def _mark(mark: str) -> str:
    if not mark:
        return ""
    word, _sep, n = mark.partition(" ")
    return _(MARKS[word]).format(n=n)


def _side_by_side(d: pg.ListDiff, catalog: ItemCatalog) -> None:
    """The user's list before and after the rules, each as the grid's product table (picture,
    name, ID, price, category; compact, for half the page) led by what changed at each
    position."""
    before, after = d.marks()
    for col, side, title, items, marks, header in zip(
        st.columns(2),
        ("before", "after"),
        (_("Before"), _("After")),
        (d.before, d.after),
        (before, after),
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
                extra={header: [_mark(m) for m in marks]},
                compact=True,
            )


def show_comparison(
    users: list[str],
    before: dict[str, list[str]],
    after: dict[str, list[str]],
    singles: dict[str, dict[str, list[str]]],
    catalog: ItemCatalog,
    known_users: Collection[str] | None,
    why: dict[str, str] | None = None,
) -> None:
    """The share each rule changed (with ``why``: rule name -> why it changes nothing, said
    when it does not), then each user's lists side by side; a user not in the interactions
    gets Personalize's popular-items fallback, said above the lists."""
    shares = []
    for name, lists in singles.items():
        changed = pg.share_changed([pg.diff(u, before[u], lists[u]) for u in users])
        text = _("{rule}: {share} of the list changed").format(
            rule=_(name), share=formats.share(changed)
        )
        if not changed and (why or {}).get(name):
            text += " — " + md_escape((why or {})[name])
        shares.append(text)
    st.markdown(" · ".join(shares))
    for d in (pg.diff(u, before[u], after[u]) for u in users):
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
        _side_by_side(d, catalog)
