"""The Operations page's tabs, and the query parameters of a link that opens one of them.

An alert says what to do ("Deploy on Operations"); its link must land on the tab where that
is done, not on the first tab. ``st.tabs(default=...)`` takes the tab's label, so the labels
live here once, for the page and for every link into it.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.i18n import N_, _, in_every_language

# In English, as marked for the message catalogue: the page shows them translated.
TAB_LABELS = {
    "refresh": N_(":material/autorenew: Refresh"),
    "deploy": N_(":material/rocket_launch: Deploy"),
    "train": N_(":material/model_training: Train"),
    "new_solution": N_(":material/add_circle: New solution"),
    "costs": N_(":material/payments: Cost & usage"),
    "audit": N_(":material/history: Audit log"),
}
TAB_PARAM = "tab"
TABS_KEY = "operations_tab"  # the tab widget's state: which tab is open, across reruns


def link_params(tab: str | None, target: str | None) -> dict[str, str] | None:
    """Query parameters of a link to Operations: the tab to open and the ARN to preselect.

    Raises KeyError for a tab the page does not have (a typo in a link is a bug)."""
    params: dict[str, str] = {}
    if tab is not None:
        TAB_LABELS[tab]  # noqa: B018 - refuse unknown tabs where the link is built
        params[TAB_PARAM] = tab
    if target:
        params["target"] = target
    return params or None


def default_tab(query: Mapping[str, str]) -> str | None:
    """The label of the tab a link asked for, in the reader's language; None (the first tab)
    for none or an unknown one, since the query string is typed by whoever shares the link."""
    label = TAB_LABELS.get(query.get(TAB_PARAM, ""))
    return _(label) if label else None


def tab_of(label: str | None) -> str | None:
    """The link name ("deploy") of a tab label, as shown in either language; None for a label
    the page does not have."""
    return next(
        (name for name, shown in TAB_LABELS.items() if label in in_every_language(shown)), None
    )
