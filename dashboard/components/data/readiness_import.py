"""Check a CSV (uploaded, or at an s3:// location) against Personalize's rules, then import it
into a dataset, but only when the check found no errors."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.confirm_dialog import Confirmation, confirm_button
from dashboard.components.data import readiness_report
from dashboard.components.data.tabs import TAB_LABELS as DATA_TABS
from dashboard.components.errors import shown_errors
from dashboard.components.formatting import dataset_type_name, mode_name
from dashboard.components.language import file_uploader
from dashboard.components.page_tabs import tab_label
from dashboard.components.text import md_code, md_escape, md_help
from dashboard.components.time_zone import reader_zone
from services.datasets import staging
from services.datasets.file_events import distinct_file_events
from services.datasets.group_data import GroupData, rows_now
from services.datasets.snapshot import Location, location
from services.errors import ServiceError
from services.i18n import N_, _, formats, ngettext
from services.local.rules.repeated_events import mostly_stored
from services.personalize.models import Dataset, Schema
from services.personalize.schema_avro import avro
from services.readiness import ReadinessReport, check_file

TYPES = ("INTERACTIONS", "ITEMS", "USERS")
# Options are the English labels (stable values); the radio shows them translated.
UPLOAD, S3 = N_("Upload a CSV"), N_("S3 location")
_REPORTS = "readiness_reports"
_KEEP_REPORTS = 4
_STORED = "readiness_stored_again"


@dataclass(frozen=True)
class Staged:
    """A file ready to check (``path``) and to import (``uri``)."""

    uri: str
    path: Path
    digest: str


def stage_upload(
    where: Location,
    key: str = "readiness",
    label: str = N_("CSV file"),
    types: tuple[str, ...] = ("csv",),
) -> Staged | None:
    """The uploaded file, stored once at the write location (``<key>_file`` widget).

    Only an operator's upload is stored there (it is what an import reads). A viewer's file is
    checked from a private temporary copy of this process and written to no bucket: viewers
    change nothing, and the import it could feed is refused to them anyway.
    """
    file = file_uploader(_(label), list(types), f"{key}_file")
    if file is None:
        return None
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", file.name) or "upload.csv"
    uri = where.uri("uploads", digest, name)
    if identity.refusal() is not None:
        return Staged(uri, staging.private_copy(digest, name, data), digest)
    uploaded = st.session_state.setdefault(f"{key}_uploaded", [])  # once per session, not rerun
    path = staging.store_upload(deps.objects(), uri, digest, name, data, uploaded)
    return Staged(uri, path, digest)


def stage_s3(
    key: str = "readiness", what: str = N_("the CSV file"), kind: str = "interactions"
) -> Staged | None:
    """The file at a typed ``s3://`` location (``<key>_s3`` widget), read locally; the
    example location is named after the dataset ``kind`` (interactions, items, users)."""
    uri = st.text_input(
        _("S3 location of {what}").format(what=_(what)),
        key=f"{key}_s3",
        placeholder=f"s3://bucket/path/{kind}.csv",  # a location, the same in any language
    ).strip()
    if not uri:
        return None
    if not uri.startswith("s3://") or uri.endswith("/"):
        st.error(_("Give one file as s3://BUCKET/KEY.csv (a folder cannot be checked here)."))
        return None
    digest = hashlib.sha256(uri.encode()).hexdigest()[:16]
    return Staged(uri, staging.fetch(deps.objects(), uri), digest)


def _report(
    staged: Staged,
    kind: str,
    schema: Schema | None,
    event_type: str | None,
    threshold: float | None,
) -> ReadinessReport:
    """The check, kept per session so a rerun does not read the file again."""
    key = (staged.uri, staged.digest, kind, schema.arn if schema else None, event_type, threshold)
    reports: dict[tuple[Any, ...], ReadinessReport] = st.session_state.setdefault(_REPORTS, {})
    if key not in reports:
        with st.spinner(_("Checking the file…")):
            reports[key] = check_file(
                staged.path,
                kind,
                schema=avro(schema) if schema and schema.fields else None,
                event_type=event_type,
                event_value_threshold=threshold,
            )
        while len(reports) > _KEEP_REPORTS:
            reports.pop(next(iter(reports)))
    return reports[key]


def _filters() -> tuple[str | None, float | None, bool]:
    left, right = st.columns(2)
    event_type = left.text_input(
        _("Event type the solution will train on (optional)"),
        key="readiness_event_type",
        help=_("Training minimums count only these events (the solution's eventType)."),
    ).strip()
    raw = right.text_input(
        _("Event value threshold (optional)"),
        key="readiness_threshold",
        help=_("The solution's eventValueThreshold: only events with EVENT_VALUE ≥ it count."),
    ).strip()
    try:
        threshold = float(raw) if raw else None
    except ValueError:
        st.error(_("The threshold {value} is not a number.").format(value=md_escape(repr(raw))))
        return None, None, False
    return event_type or None, threshold, True


def _has_data(dataset: Dataset, existing: int | None) -> bool:
    """Whether ``dataset`` holds bulk data: ``existing`` rows, or (not counted) an import
    job that completed."""
    if existing is not None:
        return existing > 0
    return any(j.status == "ACTIVE" for j in reads.import_jobs(dataset.arn) or [])


def _what_full_replaces(dataset: Dataset, existing: int | None) -> str:
    """The FULL confirmation's template: how many rows are there now (``{existing}``) and
    how many the file has (``{new}``), of ``{dataset}`` and ``{uri}``."""
    if not existing:
        return _(
            "A FULL import replaces the bulk data of **{dataset}** with {uri}: everything "
            "imported in bulk before is gone (PutEvents data stays)."
        )
    kind = dataset.dataset_type
    if kind == "ITEMS":
        text = ngettext(
            "A FULL import replaces the {existing} item now in **{dataset}** with the {new} "
            "rows of {uri}: items imported in bulk before and not in the file are gone.",
            "A FULL import replaces the {existing} items now in **{dataset}** with the {new} "
            "rows of {uri}: items imported in bulk before and not in the file are gone.",
            existing,
        )
    else:
        text = ngettext(
            "A FULL import replaces the {existing} row imported in bulk into **{dataset}** "
            "with the {new} rows of {uri} (PutEvents data stays).",
            "A FULL import replaces the {existing} rows imported in bulk into **{dataset}** "
            "with the {new} rows of {uri} (PutEvents data stays).",
            existing,
        )
    return text


def stored_again(path: Path, dataset: Dataset, data: GroupData) -> tuple[int, int] | None:
    """(distinct events of the file at ``path``, how many of them ``dataset`` holds already),
    kept per session and data snapshot; None when the file's events cannot be read."""
    memo: dict[tuple[Any, ...], tuple[int, int] | None] = st.session_state.setdefault(_STORED, {})
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, dataset.arn, data.taken or id(data))
    if key not in memo:
        with st.spinner(_("Comparing the file with the stored interactions…")):
            events = distinct_file_events(path)
            memo[key] = None if events is None else (events.num_rows, data.stored_again(events))
        while len(memo) > _KEEP_REPORTS:
            memo.pop(next(iter(memo)))
    return memo[key]


def stored_again_warning(counts: tuple[int, int] | None) -> str | None:
    """The warning for an INCREMENTAL import of a file whose events are mostly stored already
    (``rules.repeated_events.MOSTLY_STORED``), or None."""
    if counts is None or not mostly_stored(counts[1], counts[0]):
        return None
    rows, repeated = counts
    return ngettext(
        "{repeated} of the file's {rows} distinct event is already stored in this dataset: the "
        "file was most likely imported before. An INCREMENTAL import stores it again (and its "
        "ingestion is billed again) while training counts it once.",
        "{repeated} of the file's {rows} distinct events are already stored in this dataset: "
        "the file was most likely imported before. An INCREMENTAL import stores them again (and "
        "their ingestion is billed again) while training counts them once.",
        rows,
    ).format(repeated=formats.count(repeated), rows=formats.count(rows))


def import_controls(
    dataset: Dataset,
    uri: str,
    report: ReadinessReport,
    where: Location,
    key: str = "readiness",
    existing: int | None = None,
    *,
    path: Path | None = None,
    data: GroupData | None = None,
) -> None:
    """FULL/INCREMENTAL import of ``uri`` into ``dataset``, disabled while ``report`` has errors.

    ``existing`` is how many rows the dataset holds now (``group_data.rows_now``; None: not
    counted). INCREMENTAL is preselected when the dataset has data, so replacing it takes a
    deliberate choice, and the FULL confirmation says how many rows it replaces with how many.
    An INCREMENTAL import of interactions most of which ``data`` holds already (the file at
    ``path``, as the import job will count them) is warned of, here and in the confirmation.
    """
    mode_key = f"{key}_mode"
    if mode_key not in st.session_state or st.session_state.get(f"{mode_key}_for") != dataset.arn:
        # a new dataset, or the radio was not drawn last run (Streamlit then drops its
        # state): the dataset's default, then kept as chosen across reruns
        st.session_state[mode_key] = "INCREMENTAL" if _has_data(dataset, existing) else "FULL"
        st.session_state[f"{mode_key}_for"] = dataset.arn
    mode = st.radio(
        _("Import mode"),
        ["FULL", "INCREMENTAL"],
        format_func=mode_name,
        horizontal=True,
        key=mode_key,
        captions=[
            _("replaces everything imported in bulk before (PutEvents data stays)"),
            _("adds rows and updates existing IDs; needs an earlier FULL import"),
        ],
    )
    blocked = not report.ok
    denied = identity.refusal()
    what = (
        _what_full_replaces(dataset, existing)
        if mode != "INCREMENTAL"
        else _("An INCREMENTAL import adds the rows of {uri} to **{dataset}**.")
    ).format(
        dataset=md_escape(dataset.name),
        uri=md_code(uri),
        existing=formats.count(existing),
        new=formats.count(report.summary.rows),
    )
    again = None
    if (
        mode == "INCREMENTAL"
        and not blocked
        and dataset.dataset_type == "INTERACTIONS"
        and path is not None
        and data is not None
    ):
        again = stored_again_warning(stored_again(path, dataset, data))
    if again is not None:
        st.warning(again, icon=":material/content_copy:")
        what = f"{what}\n\n{again}"
    confirm_button(
        key,
        _("Import into {dataset}").format(dataset=md_escape(dataset.name)),
        Confirmation(_("Import the file?"), what, _("Yes, import")),
        lambda: _import(dataset, uri, mode or "FULL", where, key),
        disabled=blocked or denied is not None,
        help=md_help(denied)
        or _("Starts a dataset import job; models change only after the next training."),
    )
    if blocked:
        st.caption(
            _(
                "Import is disabled: fix the errors above first. Personalize would reject this "
                "file, or train on data that does not mean what it should."
            )
        )


def _import(dataset: Dataset, uri: str, mode: str, where: Location, key: str) -> None:
    if not identity.permit("create_dataset_import_job", dataset.arn, {"location": uri}):
        return
    name = f"{dataset.name[:36]}-{datetime.now(UTC):%Y%m%d%H%M%S}"
    params = {"location": uri, "mode": mode, "job": name}
    with (
        shown_errors(_("Import")),
        deps.store().audit(
            identity.actor(), "create_dataset_import_job", dataset.arn, params
        ) as entry,
    ):
        arn = deps.service().create_dataset_import_job(
            name, dataset.arn, uri, role_arn=where.role_arn, import_mode=mode
        )
        entry.message = arn
        reads.invalidate(data=True)
        st.session_state[f"{key}_started"] = _(
            "Import job {job} started ({mode}) from {uri}: follow it in the “{tab}” tab. "
            "Retrain for models to use the new data."
        ).format(
            job=md_escape(name), mode=mode, uri=md_escape(uri), tab=tab_label(DATA_TABS, "datasets")
        )
    if f"{key}_started" in st.session_state:
        # Outside the audit block (a rerun is an exception): the summary and the import
        # history are drawn again with the new job, and the message is shown once.
        st.rerun()


def show_started(key: str) -> None:
    """The "import job started" message of the last import (once, after its rerun)."""
    started = st.session_state.pop(f"{key}_started", None)
    if started:
        st.success(started, icon=":material/download:")  # its name and location escaped


def pick_dataset(
    targets: list[tuple[Dataset, Schema | None]], key: str
) -> tuple[Dataset, Schema | None]:
    """The dataset (and its schema) chosen among ``targets``, labelled "Interactions · name"."""
    labels = [f"{dataset_type_name(d.dataset_type)} · {d.name}" for d, _s in targets]
    return targets[labels.index(st.selectbox(_("Dataset"), labels, key=key))]


def staging_location() -> Location | None:
    """Where uploads are staged before an import (S3 or the local engine's folder); None
    after saying what is not configured."""
    try:
        return location(deps.settings())
    except ServiceError as err:
        st.error(md_escape(err), icon=":material/settings:")
        return None


def section(pairs: list[tuple[Dataset, Schema | None]], data: GroupData | None = None) -> None:
    """Pick a dataset and a file, see the readiness report, import when it is clean
    (``data``: the group's data, to count what a FULL import replaces)."""
    show_started("readiness")
    targets = [(d, s) for d, s in pairs if d.dataset_type in TYPES]
    if not targets:
        st.info(
            _(
                "Create an Interactions, Items or Users dataset in this group first; then check "
                "and import its CSV here."
            )
        )
        return
    dataset, schema = pick_dataset(targets, "readiness_ds")
    kind = dataset.dataset_type.lower()
    event_type, threshold, valid = _filters() if kind == "interactions" else (None, None, True)
    where = staging_location()
    if where is None:
        return
    source = st.radio(
        _("File"), [UPLOAD, S3], format_func=_, horizontal=True, key="readiness_source"
    )
    staged = None
    with shown_errors(_("Reading the file")):
        staged = stage_upload(where) if source == UPLOAD else stage_s3(kind=kind)
    if staged is None or not valid:
        st.caption(
            _(
                "Give the {kind} CSV file (with a header) to see whether Personalize can use "
                "it: the check runs here, before any import or billed training."
            ).format(kind=_(kind))
        )
        return
    report = _report(staged, kind, schema, event_type, threshold)
    readiness_report.show(report, reader_zone())
    import_controls(
        dataset,
        staged.uri,
        report,
        where,
        existing=rows_now(data, dataset.dataset_type),
        path=staged.path,
        data=data,
    )
