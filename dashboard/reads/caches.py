"""The one ``invalidate()``: every cached read an action can change, forgotten at once."""

from __future__ import annotations

from dashboard.reads.costs import _cost_report
from dashboard.reads.data import _data_alerts, _group_data
from dashboard.reads.online import _online_reports
from dashboard.reads.refresh_runs import (
    refresh_history,
    refresh_run,
    refresh_states_of,
    running_refreshes,
)
from dashboard.reads.setup_file import _setup_report
from dashboard.reads.solutions import _solution_versions
from dashboard.reads.workspace import (
    _catalog,
    _dataset_groups,
    _datasets,
    _described_filter,
    _event_trackers,
    _filters,
    _import_jobs,
    _live_overview,
    _overview,
    _schemas,
)


def invalidate(*, data: bool = False) -> None:
    """Forget every cached read an action can change, so the next run shows its effect.

    ``data=True`` also drops the data snapshots (export jobs: slow on AWS), for an import or
    an explicit Refresh. Metrics and finished versions never change and are kept.
    """
    for cached in (
        _dataset_groups,
        _datasets,
        _schemas,
        _import_jobs,
        _event_trackers,
        _overview,
        _live_overview,
        _catalog,
        _filters,
        _described_filter,  # a name deleted and made again names a new filter
        _solution_versions,
        _cost_report,
        refresh_run,
        running_refreshes,
        refresh_history,
        refresh_states_of,
        _online_reports,
        _setup_report,
    ):
        cached.clear()
    if data:
        _group_data.clear()
        _data_alerts.clear()
