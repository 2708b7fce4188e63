"""The Data page's tabs: their labels, once, for the page (``page_tabs.url_tabs``) and for
every message that sends the reader to one of them ("… in the “Check & import a file” tab"),
so a hint names the tab as the reader sees it, in either language."""

from __future__ import annotations

from services.i18n import N_

# name in the URL (?tab=check) -> label, in English as marked for the catalogue
TAB_LABELS = {
    "events": N_("Events (PutEvents)"),
    "interactions": N_("Interactions"),
    "datasets": N_("Schemas & imports"),
    "check": N_("Check & import a file"),
    "prepare": N_("Prepare a raw export"),
}
TABS_KEY = "data_tab"  # the tab widget's state: which tab is open, across reruns
