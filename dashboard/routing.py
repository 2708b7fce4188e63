"""Pages never run without the sign-in gate, however they are reached.

Streamlit runs a multipage app in its old ``pages/`` directory mode until some session has
called ``st.navigation`` (a class-wide flag, set at start-up because ``dashboard/pages/``
exists). In that mode a deep link such as ``/operations`` runs the page file alone, without
app.py and so without its sign-in gate: on a freshly started server, the first visitor could
read every page signed out. Every page calls ``require_sign_in()`` first; in that mode it runs
the same gate app.py runs (the sign-in form, and the run stops, unless somebody is signed in),
and otherwise does nothing, since app.py's gate already ran. Once any session has passed
app.py, Streamlit leaves that mode for good.
"""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager

from dashboard.components.language import choose_language
from dashboard.components.sign_in import gate


def require_sign_in() -> None:
    """Run app.py's gate when Streamlit ran this page file on its own (see module doc)."""
    if PagesManager.uses_pages_directory:
        choose_language()
        gate()
