"""Which typed user IDs the version serving them knows: the one fact behind the Recommendations
page's check of typed IDs.

A campaign answers from the version it serves, not from the dataset group's data: a user whose
events arrived after that version was trained is in the data yet unknown to the version, and
gets its popular items until a version trained with those events serves the campaign. The local
engine's model file lists the users a version was trained with (``TrainedUsers``); no
Personalize API lists a version's users, so on AWS (and over HTTP) the check can only say who
is in the dataset group's data, and says exactly that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import formats, ngettext
from services.personalize.models import version_label
from services.readiness import Finding, check_user_ids


@dataclass(frozen=True)
class TrainedUsers:
    """The users a solution version was trained with, as its model lists them.

    ``user_ids``: Arrow strings; ``data_to``: epoch seconds of the newest interaction the
    version trained on (None when not recorded).
    """

    version_arn: str
    user_ids: pa.Array
    data_to: int | None = None

    def knows(self, users: Sequence[str]) -> list[bool]:
        """Per user of ``users``: was the version trained with them?"""
        hits = pc.is_in(pa.array(list(users), pa.string()), value_set=self.user_ids)
        return [bool(h) for h in hits.fill_null(False).to_pylist()]


TrainedUsersSource = Callable[[str], TrainedUsers | None]
"""A version ARN → the users it was trained with; None when its model keeps no user index
(a recipe that scores from the history alone, or serves everyone the same list) or the version
has no model."""


def check_typed_users(
    users: Sequence[str], activity: pd.DataFrame | None, trained: TrainedUsers | None
) -> Finding | None:
    """The check of typed user IDs against what answers them.

    Args:
        users: the typed IDs (distinct, in order).
        activity: the group's users (``user``, ``count``, ``latest`` in epoch seconds; one row
            per user), None when the data could not be read.
        trained: the users of the version that serves the lists; None where nobody lists them
            (AWS, the engine over HTTP, a model without a user index).

    Returns:
        None when every ID is known; else ``readiness.check_user_ids``'s finding: against the
        version's users when ``trained`` is given, with how many of the unknown IDs are in the
        group's data (those with events newer than the version's training data said apart),
        else against the group's data, worded as such.
    """
    data_users = activity["user"].astype(str) if activity is not None else pd.Series([], dtype=str)
    if trained is None:
        return check_user_ids(users, data_users)
    version = version_label(trained.version_arn)
    unknown = [u for u, known in zip(users, trained.knows(users), strict=True) if not known]
    note = ""
    if unknown and activity is not None and len(activity):
        rows = activity[activity["user"].astype(str).isin(unknown)]
        if trained.data_to is not None:
            newer = int((rows["latest"].astype("int64") > trained.data_to).sum())
        else:
            newer = 0
        older = len(rows) - newer
        if newer:
            note += " " + ngettext(
                "{count} of them has events newer than the data version {version} was trained "
                "on: that user gets the version's popular items (unless their newest events are "
                "on items it knows) until a version trained with those events serves them.",
                "{count} of them have events newer than the data version {version} was trained "
                "on: they get the version's popular items (unless their newest events are on "
                "items it knows) until a version trained with those events serves them.",
                newer,
            ).format(count=formats.count(newer), version=version)
        if older:
            note += " " + ngettext(
                "{count} of them is in the dataset group's data but not among the users "
                "version {version} was trained with.",
                "{count} of them are in the dataset group's data but not among the users "
                "version {version} was trained with.",
                older,
            ).format(count=formats.count(older), version=version)
    return check_user_ids(users, trained.user_ids, version=version, note=note)
