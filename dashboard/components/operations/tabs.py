"""The Operations page's tabs, and the query parameters of a link that opens one of them.

An alert says what to do ("Deploy on Operations"); its link must land on the tab where that
is done, not on the first tab. The labels live here once, for the page
(``page_tabs.url_tabs``) and for every link into it.
"""

from __future__ import annotations

from dashboard.components.page_tabs import TAB_PARAM
from services.i18n import N_

# In English, as marked for the message catalogue: the page shows them translated.
TAB_LABELS = {
    "refresh": N_(":material/autorenew: Refresh"),
    "deploy": N_(":material/rocket_launch: Deploy"),
    "new_campaign": N_(":material/add_box: New campaign"),
    "train": N_(":material/model_training: Train"),
    "new_solution": N_(":material/add_circle: New solution"),
    "costs": N_(":material/payments: Cost & usage"),
    "setup": N_(":material/description: Setup file"),
    "audit": N_(":material/history: Audit log"),
}
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
