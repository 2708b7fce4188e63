"""Router: page config and navigation; every page lives in dashboard/pages/."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repo root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = Path(__file__).parent / "pages"

# An emoji favicon is drawn by the page itself; a ":material/…:" favicon would be fetched
# from Google's font CDN, and nothing here may reach the internet.
st.set_page_config(page_title="Personalize Dashboard", page_icon="🎯", layout="wide")

from dashboard.components.language import choose_language  # noqa: E402 (needs ROOT on sys.path)
from dashboard.components.sign_in import follow_deep_link, gate, show_identity  # noqa: E402
from services.i18n import N_, _  # noqa: E402

choose_language()  # first: the sign-in page speaks the reader's language too
show_identity(gate())

# Each page: its file in pages/ (which is also its URL path), title and icon; the first is the
# default, served at the root URL.
PAGE_TABLE = (
    ("overview", N_("Overview"), ":material/traffic:"),
    ("data", N_("Data"), ":material/folder_open:"),
    ("solutions", N_("Solutions & metrics"), ":material/monitoring:"),
    ("recommendations", N_("Recommendations"), ":material/storefront:"),
    ("experiments", N_("Experiments"), ":material/science:"),
    ("operations", N_("Operations"), ":material/settings:"),
)
pages = [
    st.Page(PAGES / f"{name}.py", title=_(title), icon=icon, url_path=name, default=n == 0)
    for n, (name, title, icon) in enumerate(PAGE_TABLE)
]
navigation = st.navigation(pages)
follow_deep_link(pages, navigation)
from dashboard.components import account_badge  # noqa: E402 (needs ROOT on sys.path)

account_badge.show()
navigation.run()
