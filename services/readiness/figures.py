"""How findings state figures: a share as a percentage, epoch seconds as a date."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from services.i18n import formats


def pct(part: int | float, whole: int | float) -> str:
    """``part`` of ``whole`` as a percentage with one decimal (``formats.share``: ``12.3%``);
    a share that is not nothing never reads ``0.0%`` (``<0.1%``) and one that is not all
    never reads ``100.0%`` (``99.9%``)."""
    if not whole:
        return formats.share(0.0)
    share = part / whole
    if 0 < share < 0.001:
        return "<" + formats.share(0.001, 1)
    return formats.share(share if share < 0.9995 or part == whole else 0.999, 1)


def counted(**values: object) -> dict[str, object]:
    """``values`` for a finding's text with every count (an int: rows, IDs, users, events…)
    written as ``formats.count`` writes it (``19,884``), as the pages write counts; other
    values as they are."""
    return {
        name: formats.count(int(v))
        if isinstance(v, int | np.integer) and not isinstance(v, bool)
        else v
        for name, v in values.items()
    }


def iso(seconds: float) -> str:
    """Epoch seconds as an ISO date (UTC)."""
    return datetime.fromtimestamp(seconds, tz=UTC).date().isoformat()
