"""The dashboard's entrypoint and router: page config, sign-in gate, navigation over the pages
in dashboard/pages/. Run with ``streamlit run streamlit_app.py`` (``make run``).

Why here, at the top of the checkout, and not in dashboard/: Streamlit treats a ``pages/``
directory next to the entrypoint as its legacy multipage app until some session has called
``st.navigation`` (docs.streamlit.io, st.navigation: "As soon as any session of your app
executes the st.navigation command, your app will ignore the pages/ directory"). With the
entrypoint next to dashboard/pages/, a deep link on a freshly started server ran the page file
alone, narrow, under a list of file names, without this router's layout, language switch or
sign-in gate (issue #21). Streamlit serves ``static/`` next to the entrypoint at
``app/static/``, so the demo shop's pictures live in static/ here too.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.components import account_badge
from dashboard.components.language import choose_language
from dashboard.components.sign_in import follow_deep_link, gate, show_identity
from services.i18n import N_, _

PAGES = Path(__file__).parent / "dashboard" / "pages"

# An emoji favicon is drawn by the page itself; a ":material/…:" favicon would be fetched
# from Google's font CDN, and nothing here may reach the internet.
st.set_page_config(page_title="Personalize Dashboard", page_icon="🎯", layout="wide")

choose_language()  # first: the sign-in page speaks the reader's language too
show_identity(gate())

# Each page: its file in dashboard/pages/ (its name is also its URL path), title and icon; the
# first is the default, served at the root URL.
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
account_badge.show()
navigation.run()
