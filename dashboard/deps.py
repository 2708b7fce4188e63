"""The one place that builds cached services for the pages (``st.cache_resource``)."""

from __future__ import annotations

import streamlit as st

from services.access.throttle import SignInThrottle
from services.config import Settings
from services.datasets.local_engine.experiment_events import EventSource, experiment_event_source
from services.datasets.local_engine.import_repeats import RepeatsSource, import_repeats_source
from services.datasets.local_engine.snapshots import snapshot_source
from services.datasets.local_engine.trained_users import trained_users_source
from services.datasets.local_engine.versions import version_data_source
from services.datasets.snapshot import ObjectStore, SnapshotSource, object_store
from services.evaluation.known_users import TrainedUsersSource
from services.evaluation.version_data import DataSource
from services.experiments.records import ExperimentStore
from services.personalize.clients import Clients, build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline import Pipeline, RunStore
from services.store.tables import Store


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """Settings read once from the environment."""
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def clients() -> Clients:
    """The boto3 clients (AWS or the local engine, per settings), built once."""
    return build_clients(settings())


@st.cache_resource(show_spinner=False)
def service() -> PersonalizeService:
    """The typed Personalize facade (AWS or the local engine, per settings)."""
    return PersonalizeService(clients())


@st.cache_resource(show_spinner=False)
def throttle() -> SignInThrottle:
    """Failed sign-ins per user name and per client, in the dashboard's store (shared by every
    session and process).

    Raises:
        StoreUnavailable: its table is missing and cannot be created.
    """
    return SignInThrottle(settings().dashboard_db_url)


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The dashboard's own store: audit log, pipeline runs, metric snapshots."""
    return Store(settings().dashboard_db_url)


@st.cache_resource(show_spinner=False)
def experiments() -> ExperimentStore:
    """Experiments and their state (same database as the store).

    Raises:
        StoreUnavailable: its table is missing and cannot be created.
    """
    return ExperimentStore(settings().dashboard_db_url)


@st.cache_resource(show_spinner=False)
def experiment_events() -> EventSource | None:
    """Where experiments' PutEvents rows are read: the in-process engine; None on AWS or
    over HTTP (there the metric attribution has them, by eventAttributionSource)."""
    return experiment_event_source(settings())


@st.cache_resource(show_spinner=False)
def snapshots() -> SnapshotSource:
    """Export-and-read service for the configured backend (S3 client built once on AWS).

    Raises:
        ConfigMissing: AWS mode without PERSONALIZE_EXPORT_BUCKET / PERSONALIZE_ROLE_ARN.
    """
    return snapshot_source(service(), settings())


@st.cache_resource(show_spinner=False)
def version_data() -> DataSource | None:
    """The in-process engine's record of what each version was scored on; None where nobody
    reports it (AWS, or the engine over HTTP)."""
    return version_data_source(settings())


@st.cache_resource(show_spinner=False)
def import_repeats() -> RepeatsSource | None:
    """Where import jobs' counts of rows already stored are read: the in-process engine;
    None where nobody records them (AWS, or the engine over HTTP)."""
    return import_repeats_source(settings())


@st.cache_resource(show_spinner=False)
def trained_users() -> TrainedUsersSource | None:
    """Where the users a version was trained with are read: the in-process engine's model
    files; None where nobody lists them (AWS, or the engine over HTTP)."""
    return trained_users_source(settings())


@st.cache_resource(show_spinner=False)
def objects() -> ObjectStore:
    """Local bucket folders or S3, for uploads and batch previews."""
    return object_store(settings())


@st.cache_resource(show_spinner=False)
def runs() -> RunStore:
    """Refresh runs, their steps and locks (same database as the store)."""
    return RunStore(settings().dashboard_db_url)


@st.cache_resource(show_spinner=False)
def pipeline() -> Pipeline:
    """Refresh runs started from the dashboard execute in a background thread of this process.

    Locally a campaign update takes seconds, so waits poll every second; on AWS every 15 s.
    """
    poll = 1.0 if settings().is_local else 15.0
    return Pipeline(service(), runs(), settings(), store=store(), objects=objects(), poll_s=poll)
