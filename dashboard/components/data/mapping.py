"""Edit a mapping: a column per Personalize field, event-type value map, timestamp format and
metadata fields, starting from a suggestion (or a saved mapping). Draws; services validate."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components.text import md_escape
from dashboard.components.time_zone import zone_of
from services.i18n import N_, _, formats
from services.prepare import Mapping, MappingError, parse_mapping
from services.prepare.mapping import ALLOWED_RESERVED, METADATA_TYPES, UNITS

# Options are the English labels (stable values); the select boxes show them translated.
NONE = N_("— not mapped —")
CONSTANT = N_("— a constant —")
# CREATION_TIMESTAMP of an export without creation dates (shop product exports rarely have
# one, and an Items schema may require it): one time for every item, written in the mapping.
IMPORT_TIME = N_("— the import time —")
# The option that makes a field a constant, for the fields that offer one.
_CONSTANT_OPTIONS = {"EVENT_TYPE": CONSTANT, "CREATION_TIMESTAMP": IMPORT_TIME}
_KEY = "prepare_f"  # prefix of every widget here; reset when the starting mapping changes


def _reset_when_base_changes(base: Mapping, header: tuple[str, ...]) -> None:
    token = hashlib.sha256((base.to_json() + "\x00".join(header)).encode()).hexdigest()[:12]
    if st.session_state.get(f"{_KEY}_base") != token:
        for key in [k for k in st.session_state if str(k).startswith(f"{_KEY}_")]:
            del st.session_state[key]
        st.session_state[f"{_KEY}_base"] = token


def _column(name: str, base: Mapping, header: tuple[str, ...]) -> str:
    spec = base.get(name)
    constant = _CONSTANT_OPTIONS.get(name)
    options = [NONE, *header] + ([constant] if constant else [])
    current = NONE
    if spec is not None:
        if spec.column in header:
            current = spec.column
        elif spec.constant and constant:
            current = constant
        elif spec.column is not None:  # a saved mapping's column this export does not have
            st.warning(
                _(
                    "The mapping reads {field} from the column {column}, which this file does "
                    "not have: pick its column."
                ).format(field=name, column=md_escape(repr(spec.column))),
                icon=":material/edit_note:",
            )
    return st.selectbox(
        name,
        options,
        index=options.index(current),
        format_func=lambda o: _(o) if o in (NONE, constant) else o,
        key=f"{_KEY}_col_{name}",
    )


def _import_time(base: Mapping, timezone: str) -> dict[str, Any]:
    """CREATION_TIMESTAMP as one constant, in the schema's unit (Unix epoch seconds): the
    saved mapping's, else the time the option was chosen; shown as a date, and changeable."""
    key = f"{_KEY}_import_time"
    if key not in st.session_state:
        spec = base.get("CREATION_TIMESTAMP")
        saved = spec.constant if spec is not None else None
        st.session_state[key] = int(saved) if saved and saved.isdigit() else int(time.time())
    seconds = int(
        st.number_input(
            _("CREATION_TIMESTAMP of every item (Unix epoch seconds)"),
            min_value=0,
            step=1,
            key=key,
            help=_(
                "Written into the mapping: a nightly refresh with this mapping gives its items "
                "the same time."
            ),
        )
    )
    st.caption(
        _(
            "Every item gets {when} ({zone}) as its creation time, so every item is equally "
            "new: cold-start exploration (a campaign's explorationWeight and "
            "explorationItemAgeCutOff) treats them all alike, whatever their real age."
        ).format(
            when=formats.date_time(datetime.fromtimestamp(seconds, UTC), zone_of(timezone)),
            zone=formats.zone_name(zone_of(timezone)),
        )
    )
    return {"name": "CREATION_TIMESTAMP", "constant": str(seconds), "unit": "seconds"}


def _timestamp(name: str, column: str, base: Mapping) -> dict[str, Any]:
    spec = base.get(name)
    left, right = st.columns(2)
    fmt = left.text_input(
        _("{field} format").format(field=name),
        value=(spec.format or "") if spec else "",
        key=f"{_KEY}_fmt_{name}",
        help=_(
            "strptime format such as %Y-%m-%d %H:%M:%S, or ISO8601; blank reads epoch "
            "numbers and ISO 8601 text."
        ),
    ).strip()
    unit = right.selectbox(
        _("{field} epoch unit").format(field=name),
        UNITS,
        index=UNITS.index(spec.unit if spec else "auto"),
        key=f"{_KEY}_unit_{name}",
        help=_("For numbers: auto reads seconds, milliseconds or microseconds by magnitude."),
    )
    doc: dict[str, Any] = {"name": name, "column": column}
    if fmt:
        doc["format"] = fmt
    if unit != "auto":
        doc["unit"] = unit
    return doc


def _event_type(column: str, base: Mapping) -> dict[str, Any]:
    spec = base.get("EVENT_TYPE")
    if column == CONSTANT:
        value = st.text_input(
            _("EVENT_TYPE for every row"),
            value=(spec.constant or "Purchase") if spec else "Purchase",
            key=f"{_KEY}_event_constant",
        ).strip()
        return {"name": "EVENT_TYPE", "constant": value}
    values = (spec.values or {}) if spec is not None and spec.column == column else {}
    st.caption(
        _(
            "What each raw value means: Personalize filters and weighs by event type, so use "
            "actions (View, AddToCart, Purchase). Rows with a value not listed are rejected; "
            "leave the table empty to keep the raw values."
        )
    )
    table = st.data_editor(
        pd.DataFrame({_("raw value"): list(values), _("event type"): list(values.values())}),
        num_rows="dynamic",
        key=f"{_KEY}_values",
        width="stretch",
    )
    doc: dict[str, Any] = {"name": "EVENT_TYPE", "column": column}
    pairs = {
        str(r): str(e).strip()
        for r, e in zip(table[_("raw value")], table[_("event type")], strict=True)
        if pd.notna(r) and str(r) != ""
    }
    if pairs:
        doc["values"] = pairs
    return doc


def _metadata(base: Mapping, header: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = [
        {"field": f.name, "column": f.column, "type": f.type, "split": f.split or ""}
        for f in base.fields
        if f.type is not None and f.column is not None
    ]
    st.caption(
        _(
            "Metadata fields: categorical values are split on the characters under split and "
            "joined with |; web addresses are kept whole as a string (no split); at most one "
            "textual field."
        )
    )
    table = st.data_editor(
        pd.DataFrame(rows, columns=["field", "column", "type", "split"]),
        num_rows="dynamic",
        key=f"{_KEY}_metadata",
        width="stretch",
        # the keys stay English (the rows are read back by them); the headers are translated
        column_config={
            "field": st.column_config.TextColumn(_("field")),
            "column": st.column_config.SelectboxColumn(_("column"), options=list(header)),
            "type": st.column_config.SelectboxColumn(_("type"), options=list(METADATA_TYPES)),
            "split": st.column_config.TextColumn(_("split")),
        },
    )
    out = []
    for r in table.to_dict("records"):
        if not r.get("field") or pd.isna(r.get("field")):
            continue
        doc = {"name": str(r["field"]).strip(), "column": r.get("column"), "type": r.get("type")}
        if isinstance(r.get("split"), str) and r["split"]:
            doc["split"] = r["split"]
        out.append(doc)
    return out


def edit(base: Mapping, header: tuple[str, ...]) -> Mapping | None:
    """The mapping as adjusted on screen; None (with each problem shown) while invalid."""
    _reset_when_base_changes(base, header)
    kind = base.dataset_type
    fields: list[dict[str, Any]] = []
    timezone = st.text_input(
        _("Time zone of times written without an offset"),
        value=base.timezone,
        key=f"{_KEY}_timezone",
        help=_(
            "An IANA name such as Asia/Seoul or Europe/Berlin; times with Z or +09:00 keep "
            "their own offset."
        ),
    ).strip()
    names = ALLOWED_RESERVED[kind]
    cols = st.columns(len(names))
    chosen = {}
    for col, name in zip(cols, names, strict=True):
        with col:
            chosen[name] = _column(name, base, header)
    for name in names:
        column = chosen[name]
        if column == NONE:
            continue
        if column == IMPORT_TIME:
            fields.append(_import_time(base, timezone))
        elif name in ("TIMESTAMP", "CREATION_TIMESTAMP"):
            fields.append(_timestamp(name, column, base))
        elif name == "EVENT_TYPE":
            fields.append(_event_type(column, base))
        else:
            fields.append({"name": name, "column": column})
    if kind != "interactions":
        fields += _metadata(base, header)
    doc = base.to_dict() | {"timezone": timezone, "fields": fields}
    try:
        return parse_mapping(doc)
    except MappingError as err:
        for problem in err.problems_in_language():
            st.error(
                _("Mapping: {problem}").format(problem=md_escape(problem)),
                icon=":material/edit_note:",
            )
        return None
