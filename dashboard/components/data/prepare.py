"""Prepare a raw export (upload or s3://) for a dataset: the suggested mapping, raw vs converted
rows, the readiness report and rejects of the whole file, the mapping to download, and the
import (FULL or INCREMENTAL), allowed only when the prepared file has no errors."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import deps, identity
from dashboard.components.data import mapping as prepare_mapping
from dashboard.components.data import readiness_import, readiness_report
from dashboard.components.data.readiness_import import Staged
from dashboard.components.errors import shown_errors
from dashboard.components.language import file_uploader
from dashboard.components.text import md_escape, md_help
from dashboard.components.time_zone import zone_of
from services.datasets import staging
from services.datasets.group_data import GroupData, rows_now
from services.datasets.snapshot import Location
from services.i18n import N_, _, formats
from services.personalize.models import Dataset, Schema
from services.prepare import (
    Mapping,
    MappingError,
    Prepared,
    RawFileError,
    load_mapping,
    prepare_file,
    preview_conversion,
    suggest_mapping,
)
from services.prepare.reader import MissingColumns, missing_columns_text
from services.prepare.reject_reasons import reason_in_language

KEY = "prepare"
RAW_TYPES = ("csv", "tsv", "txt", "gz", "parquet", "jsonl", "json")
# Options are the English labels (stable values); the radio shows them translated.
UPLOAD, S3 = N_("Upload a raw export"), N_("S3 location")
UTF8_BOM = "\ufeff".encode()
_SUGGESTIONS = "prepare_suggestions"
_RESULTS = "prepare_results"
_KEEP = 3


def _said(err: ValueError) -> str:
    """Why the file or its mapping cannot be used, in the reader's language where the error
    keeps its values (a mapping's problems, columns it reads that the file lacks)."""
    if isinstance(err, MappingError):
        return err.in_language()
    if isinstance(err, MissingColumns):
        return missing_columns_text(err.values)
    return str(err)


def _base(
    staged: Staged, kind: str, schema: Schema | None
) -> tuple[Mapping, tuple[str, ...], list[str]]:
    """The starting mapping (a saved one if given, else a suggestion of the fields the
    dataset's schema has), the raw header, notes."""
    saved = file_uploader(
        _("Saved mapping (optional)"),
        ["json"],
        f"{KEY}_mapping_file",
        _("A mapping downloaded earlier: the nightly refresh uses the same document."),
    )
    cache: dict[tuple[Any, ...], Any] = st.session_state.setdefault(_SUGGESTIONS, {})
    fields = tuple(f.name for f in schema.fields) if schema and schema.fields else None
    key = (staged.uri, staged.digest, kind, fields)
    if key not in cache:
        with st.spinner(_("Reading the file and suggesting a mapping…")):
            # times without an offset: the data's own zone (Korea for a Korean export), else
            # the browser's, else UTC
            cache[key] = suggest_mapping(
                staged.path,
                kind,
                schema_fields=fields,
                fallback_timezone=st.context.timezone or "UTC",
            )
        while len(cache) > _KEEP:
            cache.pop(next(iter(cache)))
    suggestion = cache[key]
    notes = [
        _("Read as {how}.").format(how=_how(suggestion.layout)),
        *suggestion.notes,
        *suggestion.unmapped,
        suggestion.timezone_note,
    ]
    if saved is None:
        return suggestion.mapping, suggestion.layout.header, notes
    mapping = load_mapping(saved.getvalue().decode("utf-8"))
    if mapping.dataset_type != kind:
        raise MappingError(
            [
                _("the saved mapping is for {saved}, not {kind}").format(
                    saved=mapping.dataset_type, kind=kind
                )
            ]
        )
    return (
        mapping,
        suggestion.layout.header,
        [_("Using the saved mapping {name}.").format(name=saved.name)],
    )


def _how(layout: Any) -> str:
    parts = [layout.format + (f" ({layout.compression})" if layout.compression else "")]
    if layout.encoding:
        parts.append(_("encoding {encoding}").format(encoding=layout.encoding))
    if layout.delimiter:
        parts.append(_("delimiter {delimiter}").format(delimiter=repr(layout.delimiter)))
    return ", ".join(parts)


def readable_times(converted: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """``converted`` with, right after each timestamp field (epoch seconds), the same time
    written out in the mapping's zone to the second, in a column named after both
    (``TIMESTAMP (Asia/Seoul)``): a reader checks the conversion against the raw rows."""
    zone = zone_of(mapping.timezone)
    out = converted.copy()
    for spec in mapping.fields:
        if spec.kind != "timestamp" or spec.name not in out.columns:
            continue
        seconds = pd.to_numeric(out[spec.name], errors="coerce")
        written = [
            formats.date_time(datetime.fromtimestamp(int(v), UTC), zone, seconds=True)
            if pd.notna(v)
            else formats.NO_VALUE
            for v in seconds
        ]
        at = out.columns.get_loc(spec.name) + 1
        out.insert(at, f"{spec.name} ({formats.zone_name(zone)})", written)
    return out


def _preview(staged: Staged, mapping: Mapping) -> None:
    raw, converted, rejects = preview_conversion(staged.path, mapping, rows=20)
    left, right = st.columns(2)
    left.caption(_("Raw rows (first 20)"))
    left.dataframe(raw, hide_index=True, width="stretch")
    right.caption(_("Converted for Personalize"))
    right.dataframe(readable_times(converted, mapping), hide_index=True, width="stretch")
    if len(rejects):
        st.caption(_("{count} of these rows would be rejected:").format(count=len(rejects)))
        shown = rejects[["line", "reason"]].assign(reason=rejects["reason"].map(reason_in_language))
        st.dataframe(
            shown.rename(columns={"line": _("line"), "reason": _("reason")}),
            hide_index=True,
            width="stretch",
        )


def _target(where: Location, staged: Staged, mapping: Mapping) -> tuple[str, Path]:
    """Where the prepared file goes: an s3:// URI to import, and the local path to write."""
    name = Path(staged.uri).name.split(".")[0] or "prepared"
    token = hashlib.sha256(mapping.to_json().encode()).hexdigest()[:8]
    uri = where.uri("prepared", staged.digest, f"{name}-{token}.csv")
    return uri, staging.output_file(deps.objects(), uri)


def _prepare(
    where: Location, staged: Staged, mapping: Mapping, schema: dict[str, Any] | None
) -> tuple[str, Prepared] | None:
    results: dict[tuple[Any, ...], tuple[str, Prepared]] = st.session_state.setdefault(_RESULTS, {})
    key = (staged.uri, staged.digest, mapping.to_json(), repr(schema))
    if key in results:
        return results[key]
    denied = identity.refusal()  # it writes the prepared file to the bucket
    if not st.button(
        _("Prepare the whole file"),
        key=f"{KEY}_run",
        type="primary",
        disabled=denied is not None,
        help=md_help(denied),
    ) or not identity.permit("prepare", staged.uri):
        st.caption(_("Prepare converts every row, then runs the readiness check on the result."))
        return None
    uri, path = _target(where, staged, mapping)
    with st.spinner(_("Converting and checking…")):
        prepared = prepare_file(staged.path, mapping, path, check_schema=schema)
    staging.publish(deps.objects(), uri, path)
    results[key] = (uri, prepared)
    while len(results) > _KEEP:
        results.pop(next(iter(results)))
    return results[key]


def _rejects(prepared: Prepared) -> None:
    result = prepared.conversion
    st.markdown(f"**{md_escape(result.summary())}**")
    if not result.rows_rejected:
        return
    counted = result.rejects.most_common()
    st.dataframe(
        [{_("reason"): reason_in_language(r), _("rows"): n} for r, n in counted],
        hide_index=True,
        width="stretch",
    )
    path = result.rejects_path
    if path is not None and path.exists():
        st.download_button(
            _("Download the rejected rows (line, reason, raw values)"),
            # with a BOM, so a spreadsheet (Korean Excel) reads the raw values' Hangul as
            # UTF-8; the file itself was made formula-safe by services.csv_safety
            UTF8_BOM + path.read_bytes(),
            file_name=path.name,
            mime="text/csv",
            key=f"{KEY}_download_rejects",
        )


def section(pairs: list[tuple[Dataset, Schema | None]], data: GroupData | None = None) -> None:
    """Pick a dataset and a raw export; adjust the mapping; prepare, check and import
    (``data``: the group's data, to count what a FULL import replaces)."""
    readiness_import.show_started(KEY)
    targets = [(d, s) for d, s in pairs if d.dataset_type in readiness_import.TYPES]
    if not targets:
        st.info(_("Create an Interactions, Items or Users dataset in this group first."))
        return
    dataset, schema = readiness_import.pick_dataset(targets, f"{KEY}_ds")
    kind = dataset.dataset_type.lower()
    where = readiness_import.staging_location()
    if where is None:
        return
    source = st.radio(
        _("Raw export"), [UPLOAD, S3], format_func=_, horizontal=True, key=f"{KEY}_source"
    )
    staged = None
    with shown_errors(_("Reading the file")):
        staged = (
            readiness_import.stage_upload(where, f"{KEY}_{kind}", N_("Raw export"), RAW_TYPES)
            if source == UPLOAD
            else readiness_import.stage_s3(KEY, N_("the raw export"), kind)
        )
    if staged is None:
        st.caption(
            _(
                "Give the shop's own {kind} export (CSV/TSV in any common encoding, gzip, "
                "Parquet or JSON Lines): a mapping is suggested from its column names and values."
            ).format(kind=_(kind))
        )
        return
    try:
        base, header, notes = _base(staged, kind, schema)
    except (RawFileError, MappingError, UnicodeDecodeError) as err:
        st.error(
            _("Cannot use this file: {error}").format(error=md_escape(_said(err))),
            icon=":material/error:",
        )
        return
    st.caption(" · ".join(md_escape(note) for note in notes))  # they quote the file's columns
    mapping = prepare_mapping.edit(base, header)
    if mapping is None:
        return
    st.download_button(
        _("Download the mapping (JSON)"),
        mapping.to_json().encode("utf-8"),
        file_name=f"{kind}-mapping.json",
        mime="application/json",
        key=f"{KEY}_download_mapping",
    )
    try:
        _preview(staged, mapping)
        done = _prepare(
            where,
            staged,
            mapping,
            readiness_import.avro(schema) if schema and schema.fields else None,
        )
    except RawFileError as err:
        st.error(md_escape(_said(err)), icon=":material/error:")
        return
    if done is None:
        return
    uri, prepared = done
    _rejects(prepared)
    readiness_report.show(prepared.report, zone_of(mapping.timezone))
    readiness_import.import_controls(
        dataset,
        uri,
        prepared.report,
        where,
        KEY,
        rows_now(data, dataset.dataset_type),
        path=prepared.out,
        data=data,
    )
