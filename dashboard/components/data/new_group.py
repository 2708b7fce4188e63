"""New dataset group: a name and a domain (none, ECOMMERCE, VIDEO_ON_DEMAND); confirmed,
audited, operators only. The checks are ``services.workspace.new_data``'s; this draws.

It sits at the top of the Data page: a new shop starts there (import comes next), and the
other pages' "No dataset group yet" notes point there.
"""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.data.tabs import TAB_LABELS as DATA_TABS
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.page_tabs import tab_label
from dashboard.components.text import md_escape, md_help
from services.i18n import N_, _
from services.workspace.new_data import DOMAINS, group_problems
from services.workspace.resource_names import NAME_MAX

REFUSED_KEY = "ng_refused"  # (the name sent, the service's text)
TEXT = {
    "title": N_("New dataset group"),
    "name": N_("Dataset group name"),
    "name_help": N_("1–{max} Latin letters (a–z, A–Z), digits, '-' or '_'."),
    "domain": N_("Domain (CreateDatasetGroup)"),
    "domain_help": N_(
        "ECOMMERCE and VIDEO_ON_DEMAND groups serve through recommenders of their use cases; "
        "a group without a domain trains solutions and serves them from campaigns. The domain "
        "cannot be changed later."
    ),
    "create": N_("Create dataset group"),
    "confirm_title": N_("Create the dataset group?"),
    "confirm_label": N_("Yes, create the dataset group"),
    "confirm_what": N_(
        "CreateDatasetGroup makes **{name}** ({domain}). It costs nothing by itself; next, "
        "create its Interactions dataset in the “{tab}” tab and import data."
    ),
    "failed": N_("Could not create {name}"),
    "created": N_("Dataset group {name} created: add its datasets in the “{tab}” tab."),
    "none": N_("None: custom solutions and campaigns"),
}


def t(key: str) -> str:
    """The text of ``key`` in the reader's language."""
    return _(TEXT[key])


def _domain_label(domain: str | None) -> str:
    return domain or t("none")


def show_new_group(expanded: bool) -> None:
    """The form, in an expander (open when the account has no group yet)."""
    with st.expander(t("title"), expanded=expanded, icon=":material/add_circle:"):
        name = st.text_input(
            t("name"), key="ng_name", max_chars=NAME_MAX, help=t("name_help").format(max=NAME_MAX)
        )
        slot = st.container()
        domain = st.selectbox(
            t("domain"), DOMAINS, format_func=_domain_label, key="ng_domain", help=t("domain_help")
        )
        name = name.strip()
        found = group_problems(name, domain)
        refused = st.session_state.get(REFUSED_KEY)
        if refused and refused[0] == name:
            found.setdefault("name", refused[1])
        if name and "name" in found:
            slot.error(md_escape(found["name"]))
        what = t("confirm_what").format(
            name=md_escape(name), domain=_domain_label(domain), tab=tab_label(DATA_TABS, "datasets")
        )
        confirm_button(
            "ng",
            t("create"),
            Confirmation(t("confirm_title"), what, t("confirm_label")),
            lambda: _create(name, domain),
            disabled=bool(group_problems(name, domain)) or identity.refusal() is not None,
            help=md_help(identity.refusal()),
            icon=":material/add_circle:",
        )


def _create(name: str, domain: str | None) -> None:
    problem = next(iter(group_problems(name, domain).values()), None)
    if problem:  # a dialog forced open over a form that cannot be sent: nothing is sent
        st.error(md_escape(problem))
        return
    said: list[str] = []
    arn = run_action(
        "create_dataset_group",
        name,
        {"name": name, "domain": domain},
        lambda: deps.service().create_dataset_group(name, domain),
        failure=t("failed").format(name=name),
        note="new dataset group {}".format,
        refused=said,
    )
    if arn:
        st.session_state.pop("ng_name", None)
        st.session_state.pop(REFUSED_KEY, None)
        st.session_state["data_group"] = name  # the page's group picker opens on it
        flash(t("created").format(name=name, tab=tab_label(DATA_TABS, "datasets")))
    elif said:
        st.session_state[REFUSED_KEY] = (name, said[0])
    else:
        return  # not allowed: said and audited
    st.rerun()
