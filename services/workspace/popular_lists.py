"""Where the Recommendations page's two "most popular" lists come from, so a merchandiser can
see why they differ.

A personalised version serves its own fallback list (reason "Popular item": the items most
popular in the data that version was trained on) to users it does not know; the popularity
campaign serves the items most popular in the data *its* version was trained on. Two versions
trained at different times, or on different event types, count different interactions, so the
two lists can share no item at all (a trial read "most popular" next to a 0 % overlap as a
contradiction, issue #21). The note names both versions and the data each was trained on:
the time range of its interactions where the embedded engine recorded it
(``services.evaluation.version_data``), else the version's creation time, since a version
trains on the data imported by then (AWS's CreateSolutionVersion reads the dataset group's data
as it is when training starts; DescribeSolutionVersion ``creationDateTime``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from services.evaluation.inspection import FALLBACK_VS_POPULARITY
from services.evaluation.version_data import VersionData, data_range
from services.i18n import _, formats, ngettext
from services.personalize.models import version_label
from services.workspace.catalog import CatalogVersion


@dataclass(frozen=True)
class ListOrigin:
    """The version a list was counted from: its ARN, when it was created (None when unknown)
    and the engine's record of its training data (None on AWS)."""

    version_arn: str
    created: datetime | None
    data: VersionData | None

    def text(self) -> str:
        """'shop-recs/5548c91f, trained on 2026-11-30 09:00 → 2026-12-07 16:02 (UTC, 31,480
        interactions)', or with only the creation time '…, trained on the data imported by
        2026-12-07 16:40 (UTC)', or the version's name alone."""
        name = version_label(self.version_arn)
        span = data_range(self.data)
        if span is not None and self.data is not None and self.data.interactions is not None:
            n = self.data.interactions
            return ngettext(
                "{version}, trained on {range} (UTC, {count} interaction)",
                "{version}, trained on {range} (UTC, {count} interactions)",
                n,
            ).format(version=name, range=span, count=formats.count(n))
        if span is not None:
            return _("{version}, trained on {range} (UTC)").format(version=name, range=span)
        if self.created is not None:
            return _("{version}, trained on the data imported by {when} (UTC)").format(
                version=name, when=self.created.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
            )
        return name


def list_origin(
    version_arn: str | None,
    versions: Sequence[CatalogVersion],
    data: Mapping[str, VersionData],
) -> ListOrigin | None:
    """The origin of the list a version serves, from the group's ACTIVE versions
    (``Catalog.versions``) and what is known of their data (``version_data``'s source: version
    ARN → record); None for no version (a recommender serves no version)."""
    if not version_arn:
        return None
    listed = next((v for v in versions if v.arn == version_arn), None)
    return ListOrigin(version_arn, listed.created if listed else None, data.get(version_arn))


def fallback_vs_popularity(served: ListOrigin | None, popularity: ListOrigin | None) -> str:
    """Why the served version's fallback list and the popularity campaign's list differ,
    naming both versions and the data each was trained on (in the current language); the
    general reason (``FALLBACK_VS_POPULARITY``) when either version is unknown."""
    if served is None or popularity is None:
        return _(FALLBACK_VS_POPULARITY)
    return _(
        "why the two differ: each is counted from its own version's training data: the "
        "fallback list from {served}, the popularity campaign's list from {popularity}"
    ).format(served=served.text(), popularity=popularity.text())
