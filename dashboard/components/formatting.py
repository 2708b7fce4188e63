"""How values read on every page: relative times, short IDs, status colours, deltas."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import streamlit as st

from services.i18n import N_, _, current_language, formats
from services.i18n.formats import NO_VALUE as NO_VALUE
from services.personalize.models import short_arn, version_label
from services.workspace.dataset_type_names import dataset_type_name as dataset_type_name

# Severity → Streamlit colour name (for st.badge / :color[...] markdown).
STATUS_COLOURS = {
    "ACTIVE": "green",
    "CREATE FAILED": "red",
    "CREATE STOPPED": "gray",
    "CREATE STOPPING": "orange",
    "CREATE PENDING": "blue",
    "CREATE IN_PROGRESS": "blue",
    "DELETE PENDING": "gray",
    "DELETE IN_PROGRESS": "gray",
}


def status_colour(status: str | None) -> str:
    """Colour name for a Personalize status string."""
    return STATUS_COLOURS.get(status or "", "gray")


# Status → how it reads: the API's word, which the reader finds in Personalize's console and
# documentation, and in Korean what it means beside it ("CREATE PENDING (생성 대기 중)").
# Personalize's statuses (services.personalize.statuses lists who reports which) and a refresh
# run's (services.pipeline.runs.run_values).
STATUS_NAMES = {
    "ACTIVE": N_("ACTIVE"),
    "INACTIVE": N_("INACTIVE"),
    "CREATE PENDING": N_("CREATE PENDING"),
    "CREATE IN_PROGRESS": N_("CREATE IN_PROGRESS"),
    "CREATE FAILED": N_("CREATE FAILED"),
    "CREATE STOPPING": N_("CREATE STOPPING"),
    "CREATE STOPPED": N_("CREATE STOPPED"),
    "DELETE PENDING": N_("DELETE PENDING"),
    "DELETE IN_PROGRESS": N_("DELETE IN_PROGRESS"),
    "UPDATE PENDING": N_("UPDATE PENDING"),
    "UPDATE IN_PROGRESS": N_("UPDATE IN_PROGRESS"),
    "STOP PENDING": N_("STOP PENDING"),
    "STOP IN_PROGRESS": N_("STOP IN_PROGRESS"),
    "START PENDING": N_("START PENDING"),
    "START IN_PROGRESS": N_("START IN_PROGRESS"),
    "PENDING": N_("PENDING"),
    "IN PROGRESS": N_("IN PROGRESS"),
    "IN_PROGRESS": N_("IN_PROGRESS"),
    "COMPLETED": N_("COMPLETED"),
    "FAILED": N_("FAILED"),
    "RUNNING": N_("RUNNING"),
    "SUCCEEDED": N_("SUCCEEDED"),
    "REFUSED": N_("REFUSED"),
    "SKIPPED": N_("SKIPPED"),
}


def status_name(status: str | None) -> str:
    """How a status reads in the reader's language: English keeps the API's word, Korean adds
    its meaning ("CREATE PENDING (생성 대기 중)"); text that is no status (a refresh run's step,
    already in the reader's language) as it is; "UNKNOWN" for None."""
    if not status:
        return "UNKNOWN"
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    """'3 h ago', 'in 5 min', 'just now'; '—' when unknown."""
    if when is None:
        return "—"
    now = now or datetime.now(UTC)
    delta = now - when
    future = delta < timedelta(0)
    if int(abs(delta).total_seconds()) == 0:
        return _("just now")
    text = formats.duration(int(abs(delta).total_seconds()))  # whole seconds: "3 s ago"
    return (
        _("in {duration}").format(duration=text)
        if future
        else _("{duration} ago").format(duration=text)
    )


def billed_hours(hours: float) -> str:
    """Personalize's ``trainingHours`` in a unit that shows it: '2.50 h' from one hour on,
    else as ``formats.duration`` ('15 min', '1.4 s')."""
    return _("{n} h").format(n=f"{hours:.2f}") if hours >= 1 else formats.duration(hours * 3600)


def exact_time(when: datetime | None) -> str:
    """ISO time in UTC for hover text."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if when else _("unknown")


def short_id(arn: str | None) -> str:
    """The readable tail of an ARN ('shop-recs', '5548c91f'); '—' for None."""
    return short_arn(arn) if arn else "—"


def version_name(arn: str | None) -> str:
    """A solution version as every page names it (``version_label``: 'shop-recs/5548c91f');
    '—' for None."""
    return version_label(arn) if arn else "—"


def when_column(help_text: str | None = None) -> st.column_config.Column:
    """A table column of times: "3 hours ago" in English; in Korean the date and time (the
    browser draws "distance" in English whatever the page's language)."""
    form = "distance" if current_language() == "en" else "YYYY-MM-DD HH:mm"
    return st.column_config.DatetimeColumn(format=form, help=help_text)


def help_columns(helps: Mapping[str, str], **values: str) -> dict[str, st.column_config.Column]:
    """Text columns keyed by their translated headers, each with its translated help text
    (formatted with ``values``): ``helps`` maps a header to its help, both marked ``N_``."""
    return {
        _(header): st.column_config.TextColumn(help=_(text).format(**values))
        for header, text in helps.items()
    }


def arn_column() -> st.column_config.Column:
    """A narrow "ARN" column whose full value people copy from the cell."""
    return st.column_config.TextColumn("ARN", help=_("Full ARN (copy it from here)"), width="small")


# A dataset type in a sentence ("Give the items CSV file …"), lower case as the API writes it.
DATASET_KINDS = (N_("interactions"), N_("items"), N_("users"))


# importMode / trainingMode values: the API's words, with what they mean in the reader's language
MODES = {"FULL": N_("FULL"), "INCREMENTAL": N_("INCREMENTAL"), "UPDATE": N_("UPDATE")}


def mode_name(mode: str) -> str:
    """How an import or training mode option reads (``FULL`` → "FULL (전체)" in Korean)."""
    return _(MODES.get(mode, mode))
