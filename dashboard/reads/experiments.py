"""An experiment's PutEvents rows read back from the in-process engine, kept per data version.

Reading them (every event's row, its impression resolved, every item's price) took about a
second of each Experiments page run on the demo shop; the page reran it on every click. The
read is kept under the key ``EventSource.version`` gives (the newest PutEvents row and the
group's data version), asked on every run: a new event, an import, PutItems or a data deletion
changes the key, so the next run reads again and nothing shown is older than the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd
import streamlit as st

from services.datasets.local_engine.experiment_events import EventSource

# A few experiments' reads at once (each version's replaces the last one's soon enough).
KEPT_READS = 8


# A resource, not data: the frame has a row per event, which cache_data would serialise and
# copy on every page run. Its readers only read it (arm_outcomes copies its window).
@st.cache_resource(max_entries=KEPT_READS, show_spinner=False)
def _events(
    _source: EventSource, group_arn: str, since: datetime, version: tuple[int, int]
) -> tuple[pd.DataFrame, Mapping[str, float]]:
    # ``version``: part of the key only (see the module doc); ``_source`` is not (Streamlit
    # leaves a leading-underscore argument out of the key): there is one per process
    return _source(group_arn, since)


def experiment_events(
    source: EventSource, group_arn: str, since: datetime
) -> tuple[pd.DataFrame, Mapping[str, float]]:
    """``source(group_arn, since)`` (events frame with ``outcomes.EVENT_COLUMNS``, item ID ->
    price), read again only when ``source.version(group_arn)`` has changed.

    Raises:
        ServiceError: the engine's database or a bulk Items file cannot be read.
    """
    return _events(source, group_arn, since, source.version(group_arn))
