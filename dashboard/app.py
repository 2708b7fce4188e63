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
from services.i18n import _  # noqa: E402

choose_language()  # first: the sign-in page speaks the reader's language too
show_identity(gate())

pages = [
    st.Page(PAGES / "overview.py", title=_("Overview"), icon=":material/traffic:", default=True),
    st.Page(PAGES / "data.py", title=_("Data"), icon=":material/folder_open:", url_path="data"),
    st.Page(
        PAGES / "solutions.py",
        title=_("Solutions & metrics"),
        icon=":material/monitoring:",
        url_path="solutions",
    ),
    st.Page(
        PAGES / "recommendations.py",
        title=_("Recommendations"),
        icon=":material/storefront:",
        url_path="recommendations",
    ),
    st.Page(
        PAGES / "experiments.py",
        title=_("Experiments"),
        icon=":material/science:",
        url_path="experiments",
    ),
    st.Page(
        PAGES / "operations.py",
        title=_("Operations"),
        icon=":material/settings:",
        url_path="operations",
    ),
]
navigation = st.navigation(pages)
follow_deep_link(pages, navigation)
from dashboard.components import account_badge  # noqa: E402 (needs ROOT on sys.path)

account_badge.show()
navigation.run()
