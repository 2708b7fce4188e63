"""The operation table: (service, operation name) → handler, for all three Personalize APIs.

Each handler module exports ``OPERATIONS`` (operation name → handler); this module only gathers
them. The engine looks operations up here; handlers never import the engine.
"""

from __future__ import annotations

from functools import cache

from services.local.context import Operation
from services.local.control import (
    batch,
    campaigns,
    data_deletion,
    datasets,
    exports,
    filters,
    groups,
    imports,
    metric_attributions,
    recipes,
    recommenders,
    schemas,
    segments,
    solutions,
    tags,
    trackers,
    versions,
)
from services.local.data import events
from services.local.runtime import handlers as runtime
from services.local.wire.protocol import CONTROL, EVENTS, RUNTIME

_CONTROL_MODULES = (
    schemas,
    groups,
    datasets,
    exports,
    imports,
    trackers,
    recipes,
    solutions,
    versions,
    campaigns,
    recommenders,
    data_deletion,
    metric_attributions,
    filters,
    batch,
    segments,
    tags,
)


@cache
def operations() -> dict[tuple[str, str], Operation]:
    """Every implemented operation, keyed by (service name, operation name)."""
    table: dict[tuple[str, str], Operation] = {}
    for module in _CONTROL_MODULES:
        table.update({(CONTROL, name): fn for name, fn in module.OPERATIONS.items()})
    table.update({(RUNTIME, name): fn for name, fn in runtime.OPERATIONS.items()})
    table.update({(EVENTS, name): fn for name, fn in events.OPERATIONS.items()})
    return table
