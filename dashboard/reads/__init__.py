"""Every read the pages make, cached here (``st.cache_data``), and the one ``invalidate()``.

A read returns its value, or ``None`` when the backend failed. Then it has already drawn,
where it was called, a message naming what could not be read and what to do
(``components.errors.show_failure``), and the caller skips only what needed the value: the
rest of the page still renders. So no page needs a ``try`` around a read, and the pickers
cannot crash a page. Failures are never cached (``st.cache_data`` keeps only returned
values): the next run asks again.

Reads compose through the private cached functions (``_name``), which raise ServiceError, so
one failure is reported once, by the read the page called. Every action calls
``invalidate()`` so the next run sees its effect.

Where each read lives: ``workspace`` (dataset groups, datasets, import jobs, trackers, filters,
the overview and its live poll, the catalogue, the account), ``data`` (a group's data and its
data alerts), ``solutions`` (versions, metrics, what versions were scored on, recipes),
``costs`` (prices, campaign costs), ``online`` (metric attribution reports, an experiment's
per-arm sums), ``experiments`` (an experiment's events, kept per data version),
``refresh_runs``, ``setup_file`` and ``caches`` (``invalidate()``);
``page_read`` turns a failure into a drawn message. Pages call them as ``reads.<name>``.
"""

from dashboard.reads.caches import invalidate
from dashboard.reads.costs import campaign_costs, prices
from dashboard.reads.data import SNAPSHOT_TTL, data_alerts, group_data, import_repeats
from dashboard.reads.experiments import experiment_events
from dashboard.reads.online import experiment_attribution, online_reports
from dashboard.reads.refresh_runs import (
    refresh_history,
    refresh_run,
    refresh_states_of,
    running_refreshes,
)
from dashboard.reads.setup_file import setup_report
from dashboard.reads.solutions import (
    group_versions,
    recipe_options,
    solution_metrics,
    solution_versions,
    trained_users,
    version_data,
    version_data_reported,
)
from dashboard.reads.workspace import (
    account,
    active_filters,
    catalog,
    dataset_groups,
    datasets,
    described_filters,
    event_trackers,
    import_jobs,
    live_overview,
    overview,
    schemas,
)

__all__ = [
    "SNAPSHOT_TTL",
    "account",
    "active_filters",
    "campaign_costs",
    "catalog",
    "data_alerts",
    "experiment_events",
    "dataset_groups",
    "schemas",
    "datasets",
    "described_filters",
    "event_trackers",
    "experiment_attribution",
    "group_data",
    "group_versions",
    "import_jobs",
    "import_repeats",
    "invalidate",
    "live_overview",
    "online_reports",
    "overview",
    "prices",
    "recipe_options",
    "refresh_history",
    "refresh_run",
    "refresh_states_of",
    "running_refreshes",
    "setup_report",
    "solution_metrics",
    "solution_versions",
    "trained_users",
    "version_data",
    "version_data_reported",
]
