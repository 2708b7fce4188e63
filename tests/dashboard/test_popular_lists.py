"""Which versions the two "most popular" lists come from, and the data each was trained on
(services.workspace.popular_lists), on the seeded workspace: real training, real engine
records. Version 2 of shop-up was trained after PutEvents the popularity version never saw.

Expected ranges come from the interactions CSV the seed wrote (tests.local.workspace:
``START + u * 1000 + k * 10`` for 60 users × 30 events), not from the engine's record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.config import Settings
from services.datasets.local_engine.versions import version_data_source
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import version_label
from services.workspace.catalog import Catalog, build_catalog
from services.workspace.overview import build_overview
from services.workspace.popular_lists import ListOrigin, fallback_vs_popularity, list_origin
from tests.dashboard.conftest import Seeded
from tests.local.workspace import START


@pytest.fixture
def service(seeded: Seeded) -> PersonalizeService:
    return PersonalizeService(build_clients(Settings.from_env()))


def _catalog(service: PersonalizeService, seeded: Seeded) -> Catalog:
    (group,) = (g for g in build_overview(service) if g.group.arn == seeded.group)
    return build_catalog(service, group)


CSV_FIRST = datetime.fromtimestamp(START, UTC).strftime("%Y-%m-%d %H:%M")
CSV_LAST = datetime.fromtimestamp(START + 59 * 1000 + 29 * 10, UTC).strftime("%Y-%m-%d %H:%M")


def _origins(seeded: Seeded, service: PersonalizeService, *arns: str) -> list[ListOrigin]:
    source = version_data_source(Settings.from_env())
    assert source is not None  # the in-process engine keeps the records
    versions = _catalog(service, seeded).versions
    data = source(arns)
    found = [list_origin(arn, versions, data) for arn in arns]
    assert all(o is not None for o in found)
    return [o for o in found if o is not None]


def test_the_note_names_both_versions_and_their_different_training_data(
    seeded: Seeded, service: PersonalizeService
) -> None:
    served, popular = _origins(seeded, service, seeded.up_v2, seeded.pop_version)
    note = fallback_vs_popularity(served, popular)
    v2, pop = version_label(seeded.up_v2), version_label(seeded.pop_version)
    assert v2.startswith("shop-up/") and pop.startswith("shop-pop/")
    # the popularity version saw the CSV alone: its range is the CSV's
    assert (
        f"the popularity campaign's list from {pop}, trained on {CSV_FIRST} → {CSV_LAST} (UTC"
        in note
    )
    # version 2 also saw the PutEvents sent at the seed (hours ago, long after the CSV's 2023
    # times): same start, a later end
    assert f"the fallback list from {v2}, trained on {CSV_FIRST} → " in note, note
    assert served.data is not None and popular.data is not None
    assert served.data.data_to is not None and popular.data.data_to is not None
    assert served.data.data_to > popular.data.data_to
    assert f"→ {CSV_LAST} (UTC" not in note.split(" the popularity campaign's")[0]


def test_without_the_engines_record_the_creation_time_dates_the_data(
    seeded: Seeded, service: PersonalizeService
) -> None:
    """On AWS nothing reports a version's data: its creation time (training reads the data
    imported by then) dates it, from the catalogue's DescribeSolutionVersion times."""
    versions = _catalog(service, seeded).versions
    served = list_origin(seeded.up_v1, versions, {})
    popular = list_origin(seeded.pop_version, versions, {})
    assert served is not None and popular is not None
    created = service.describe_solution_version(seeded.up_v1).created
    assert created is not None
    when = created.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    assert served.text() == (
        f"{version_label(seeded.up_v1)}, trained on the data imported by {when} (UTC)"
    )
    assert fallback_vs_popularity(served, None) == fallback_vs_popularity(None, popular)
    assert "why the two can differ" in fallback_vs_popularity(served, None)  # the general note
    use_language("ko")
    try:
        korean = fallback_vs_popularity(served, popular)
    finally:
        use_language("en")
    assert version_label(seeded.up_v1) in korean and version_label(seeded.pop_version) in korean
    assert f"{when}(UTC)까지 가져온 데이터로 학습" in korean, korean
