"""Create a dataset in a group: its type (Interactions, Items, Users), a name, and a schema,
an existing one (ListSchemas) or one made from a file (an Avro schema as ``prepare
--schema-out`` writes it, or a mapping the Prepare tab downloads); confirmed, audited,
operators only. The checks and the schema text are ``services.workspace.new_data``'s.
"""

from __future__ import annotations

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.data.tabs import TAB_LABELS as DATA_TABS
from dashboard.components.formatting import dataset_type_name
from dashboard.components.language import file_uploader
from dashboard.components.operations.actions import flash, run_action
from dashboard.components.page_tabs import tab_label
from dashboard.components.text import md_escape, md_help
from services.i18n import N_, _
from services.personalize.models import Dataset, DatasetGroup, Schema
from services.workspace.new_data import (
    DATASET_TYPES,
    dataset_problems,
    schema_text,
    usable_schemas,
)
from services.workspace.resource_names import NAME_MAX, name_problem

EXISTING, FILE = "existing", "file"
REFUSED_KEY = "nd_refused"  # (the form as sent, the service's text)
# How many datasets the form has made this session: the uploader's key carries it, so a made
# dataset's file leaves the form with its type (a Streamlit uploader keeps its file across
# reruns and cannot be emptied from the script; a new key is a new, empty uploader). The
# type moves on to the next one the group lacks, which the old file was not for (trial s13b).
MADE_KEY = "nd_made"
TEXT = {
    "title": N_("Create a dataset"),
    "type": N_("Dataset type"),
    "name": N_("Dataset name"),
    "name_help": N_("1–{max} Latin letters (a–z, A–Z), digits, '-' or '_'."),
    "source": N_("Schema"),
    EXISTING: N_("An existing schema (ListSchemas)"),
    FILE: N_("From a file: a schema (prepare --schema-out) or a mapping (Prepare tab)"),
    "schema": N_("Schema to use"),
    "no_schema": N_("No schema of this group's domain yet: make one from a file."),
    "create": N_("Create dataset"),
    "confirm_title": N_("Create the dataset?"),
    "confirm_label": N_("Yes, create the dataset"),
    "confirm_what": N_(
        "CreateDataset makes the {type} dataset **{name}** in {group} with the schema {schema}. "
        "It costs nothing by itself; imports are billed per GB."
    ),
    "confirm_new_schema": N_("CreateSchema first makes the schema {schema} from the file."),
    "failed": N_("Could not create {name}"),
    "created": N_(
        "Dataset {name} created: import its file in the “{check}” or “{prepare}” tab once it "
        "is ACTIVE."
    ),
    "file": N_("Schema or mapping (JSON)"),
    "schema_name": N_("New schema name"),
}


def t(key: str) -> str:
    """The text of ``key`` in the reader's language."""
    return _(TEXT[key])


def file_key() -> str:
    """The schema file uploader's key: "nd_file" until the form has made a dataset, then
    "nd_file_1", "nd_file_2"… (``MADE_KEY``)."""
    made = st.session_state.get(MADE_KEY, 0)
    return f"nd_file_{made}" if made else "nd_file"


def show_new_dataset(group: DatasetGroup, pairs: list[tuple[Dataset, Schema | None]]) -> None:
    """The form, in an expander (open while the group has no dataset)."""
    with st.expander(t("title"), expanded=not pairs, icon=":material/add_circle:"):
        _form(group, {d.dataset_type for d, _s in pairs})


def _form(group: DatasetGroup, taken: set[str]) -> None:
    free = [i for i, kind in enumerate(DATASET_TYPES) if kind.upper() not in taken]
    dataset_type = st.selectbox(
        t("type"),
        DATASET_TYPES,
        index=free[0] if free else 0,  # the first type the group lacks
        format_func=lambda x: dataset_type_name(x.upper()),
        key="nd_type",
    )
    type_slot = st.container()
    name = st.text_input(
        t("name"), key="nd_name", max_chars=NAME_MAX, help=t("name_help").format(max=NAME_MAX)
    ).strip()
    name_slot = st.container()
    source = st.radio(
        t("source"), [EXISTING, FILE], format_func=t, horizontal=True, key="nd_source"
    )
    found = dataset_problems(name, dataset_type, taken)
    schema_arn, schema_name, text = None, "", None
    if source == EXISTING:
        listed = reads.schemas()
        schemas = {s.arn: s for s in usable_schemas(listed or [], group.domain)}
        if schemas:
            schema_arn = st.selectbox(
                t("schema"), list(schemas), format_func=lambda a: schemas[a].name, key="nd_schema"
            )
        else:
            st.info(t("no_schema"))
            found["schema"] = t("no_schema")
    else:
        uploaded = file_uploader(t("file"), ["json"], file_key())
        file_slot = st.container()
        # The field keeps what it first showed (a keyed widget ignores a later ``value``): a
        # form opened on "file" before the name was typed showed it empty, so empty means the
        # name's default, shown as the placeholder.
        default = f"{name}-schema" if name else ""
        schema_name = (
            st.text_input(
                t("schema_name"), value=default, placeholder=default, key="nd_schema_name"
            ).strip()
            or default
        )
        schema_slot = st.container()
        if uploaded is None:
            found["file"] = ""
        else:
            try:
                text = schema_text(uploaded.getvalue().decode("utf-8", "replace"), dataset_type)
            except ValueError as err:
                found["file"] = str(err)
                file_slot.error(md_escape(err))
        problem = name_problem(schema_name)
        if problem:
            found["schema_name"] = problem
            if schema_name:
                schema_slot.error(md_escape(problem))
    form = (dataset_type, name, schema_arn, schema_name, text)
    refused = st.session_state.get(REFUSED_KEY)
    if refused and refused[0] == form:
        name_slot.error(md_escape(refused[1]))
    if "type" in found:
        type_slot.error(md_escape(found["type"]))
    if name and "name" in found:
        name_slot.error(md_escape(found["name"]))
    schema = schema_arn.rsplit("/", 1)[-1] if schema_arn else schema_name
    what = t("confirm_what").format(
        type=dataset_type_name(dataset_type.upper()),
        name=md_escape(name),
        group=md_escape(group.name),
        schema=md_escape(schema),
    )
    if text is not None:
        what += "\n\n" + t("confirm_new_schema").format(schema=md_escape(schema))
    confirm_button(
        "nd",
        t("create"),
        Confirmation(t("confirm_title"), what, t("confirm_label")),
        lambda: _create(group, form, taken),
        disabled=bool(found) or identity.refusal() is not None,
        help=md_help(identity.refusal()),
        icon=":material/add_circle:",
    )


def _create(
    group: DatasetGroup, form: tuple[str, str, str | None, str, str | None], taken: set[str]
) -> None:
    """CreateSchema (from a file) then CreateDataset, each audited; a refusal is kept to be
    shown at the form."""
    dataset_type, name, schema_arn, schema_name, text = form
    found = dataset_problems(name, dataset_type, taken)
    if text is not None and name_problem(schema_name):
        found["schema_name"] = name_problem(schema_name) or ""
    if found or not (schema_arn or text):  # a dialog forced open: nothing is sent
        st.error(md_escape(next(iter(found.values()), t("no_schema"))))
        return
    said: list[str] = []
    service = deps.service()
    if text is not None:
        schema_arn = run_action(
            "create_schema",
            schema_name,
            {"name": schema_name, "domain": group.domain, "dataset_type": dataset_type},
            lambda: service.create_schema(schema_name, text, group.domain),
            failure=t("failed").format(name=schema_name),
            note="new schema {}".format,
            refused=said,
        )
    arn = None
    if schema_arn:
        arn = run_action(
            "create_dataset",
            group.arn,
            {"name": name, "datasetType": dataset_type, "schemaArn": schema_arn},
            lambda: service.create_dataset(name, group.arn, dataset_type, schema_arn),
            failure=t("failed").format(name=name),
            note="new dataset {}".format,
            refused=said,
        )
    if not (arn or said):
        return  # not allowed: said and audited
    if arn:
        for key in ("nd_type", "nd_name", "nd_schema_name", file_key(), REFUSED_KEY):
            st.session_state.pop(key, None)
        st.session_state[MADE_KEY] = st.session_state.get(MADE_KEY, 0) + 1
        flash(
            t("created").format(
                name=name,
                check=tab_label(DATA_TABS, "check"),
                prepare=tab_label(DATA_TABS, "prepare"),
            )
        )
    else:  # kept, to be shown at the form while it holds what was sent
        st.session_state[REFUSED_KEY] = (form, said[0])
    st.rerun()
