"""Names and references inside a setup file: every name unique within its kind, every
reference naming something the file defines, Personalize's one-per-group rules, and an order
to act in (each resource after what it references).

A resource is keyed ``(kind, name)``; ``KINDS`` lists the kinds in the file's order, which is
also the order a plan creates them in when nothing else decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from typing import Any

from services.setup_file.model import SetupFile

# kind (the file's list) -> the fields that name another resource, and that resource's kind
KINDS: dict[str, dict[str, str]] = {
    "schemas": {},
    "dataset_groups": {},
    "datasets": {"dataset_group": "dataset_groups", "schema_": "schemas"},
    "event_trackers": {"dataset_group": "dataset_groups"},
    "filters": {"dataset_group": "dataset_groups"},
    "solutions": {"dataset_group": "dataset_groups"},
    "campaigns": {"solution": "solutions"},
    "recommenders": {"dataset_group": "dataset_groups"},
    "metric_attributions": {"dataset_group": "dataset_groups"},
}
# What must exist (and be ACTIVE) before a kind is created, beyond the named references:
# filters, solutions, recommenders and metric attributions read the group's datasets.
AFTER_DATASETS = ("filters", "solutions", "recommenders", "metric_attributions")
Key = tuple[str, str]


def resources(setup: SetupFile) -> Iterator[tuple[str, int, Any]]:
    """(kind, index in its list, spec) for every resource, in the file's order."""
    for kind in KINDS:
        for i, spec in enumerate(getattr(setup, kind)):
            yield kind, i, spec


def field_name(attr: str) -> str:
    """The name a field has in the file (``schema_`` is written ``schema``)."""
    return attr.rstrip("_")


def dependencies(setup: SetupFile) -> dict[Key, set[Key]]:
    """Each resource's key -> the keys it must come after (references, and for the kinds in
    ``AFTER_DATASETS`` the datasets of its group)."""
    datasets_of: dict[str, set[Key]] = {}
    for spec in setup.datasets:
        datasets_of.setdefault(spec.dataset_group, set()).add(("datasets", spec.name))
    graph: dict[Key, set[Key]] = {}
    for kind, _, spec in resources(setup):
        needs = {(target, getattr(spec, attr)) for attr, target in KINDS[kind].items()}
        if kind in AFTER_DATASETS:
            needs |= datasets_of.get(spec.dataset_group, set())
        graph[(kind, spec.name)] = needs
    return graph


def levels(setup: SetupFile) -> dict[Key, int]:
    """Each resource's dependency level: 0 for what depends on nothing, else one more than
    the highest level among what it depends on. Resources of one level never depend on each
    other, so apply creates them together and waits once per level.

    Raises CycleError (graphlib) when the dependencies form a cycle."""
    graph = dependencies(setup)
    out: dict[Key, int] = {}
    for key in order_of(graph):
        out[key] = 1 + max((out[d] for d in graph[key]), default=-1)
    return out


def order(setup: SetupFile) -> list[Key]:
    """Every resource, each after what it depends on, otherwise in the file's order.

    Raises CycleError (graphlib) when the dependencies form a cycle."""
    return order_of(dependencies(setup))


def order_of(graph: dict[Key, set[Key]]) -> list[Key]:
    """The keys of ``graph`` (key -> the keys it comes after), each after what it comes
    after, otherwise in ``graph``'s order; keys only named as dependencies are left out.

    A file's references cannot form a cycle: each kind refers only to kinds listed before it
    in ``KINDS`` (datasets to groups and schemas, campaigns to solutions, the rest to groups;
    ``AFTER_DATASETS`` adds datasets, which refer to neither). The check stays so that a
    future reference (a filter naming a solution, say) that closes a loop is refused by name
    rather than applied in a wrong order.

    Raises CycleError (graphlib) when the dependencies form a cycle."""
    position = {key: n for n, key in enumerate(graph)}
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    out: list[Key] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=lambda k: position.get(k, -1))
        out.extend(k for k in ready if k in position)
        sorter.done(*ready)
    return out


def reference_problems(setup: SetupFile) -> list[str]:
    """Duplicate names, references to nothing, broken one-per-group rules and cycles, one
    message each, naming the path (``campaigns[1].solution: no solution named 'x'``)."""
    problems: list[str] = []
    names: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for kind, i, spec in resources(setup):
        if spec.name in names[kind]:
            problems.append(f"{kind}[{i}].name: '{spec.name}' is defined twice in {kind}")
        names[kind][spec.name] = spec
    for kind, i, spec in resources(setup):
        for attr, target in KINDS[kind].items():
            value = getattr(spec, attr)
            if value not in names[target]:
                single = target.removesuffix("s").replace("_", " ")
                problems.append(f"{kind}[{i}].{field_name(attr)}: no {single} named '{value}'")
    problems += _one_per_group(setup)
    problems += _domains(setup, names)
    if not problems:
        try:
            order(setup)
        except CycleError as err:
            cycle = " -> ".join(f"{k}/{n}" for k, n in err.args[1])
            problems.append(f"references form a cycle: {cycle}")
    return problems


def _one_per_group(setup: SetupFile) -> list[str]:
    """One dataset per type, one event tracker and one metric attribution per group
    (CreateDataset, CreateEventTracker, CreateMetricAttribution: ResourceAlreadyExists)."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for i, ds in enumerate(setup.datasets):
        if (ds.dataset_group, ds.type) in seen:
            problems.append(
                f"datasets[{i}].type: dataset group '{ds.dataset_group}' already has a "
                f"{ds.type} dataset"
            )
        seen.add((ds.dataset_group, ds.type))
    for kind in ("event_trackers", "metric_attributions"):
        groups: set[str] = set()
        for i, spec in enumerate(getattr(setup, kind)):
            if spec.dataset_group in groups:
                problems.append(
                    f"{kind}[{i}].dataset_group: '{spec.dataset_group}' may have only one"
                )
            groups.add(spec.dataset_group)
    return problems


def _domains(setup: SetupFile, names: dict[str, dict[str, Any]]) -> list[str]:
    """A recommender needs a Domain dataset group; a dataset's schema has its group's domain
    (CreateRecommender, CreateDataset: InvalidInputException otherwise)."""
    problems = []
    groups = names["dataset_groups"]
    for i, rec in enumerate(setup.recommenders):
        group = groups.get(rec.dataset_group)
        if group is not None and group.domain is None:
            problems.append(
                f"recommenders[{i}].dataset_group: '{rec.dataset_group}' has no domain; "
                "recommenders need a Domain dataset group"
            )
    for i, ds in enumerate(setup.datasets):
        group, schema = groups.get(ds.dataset_group), names["schemas"].get(ds.schema_)
        if group is not None and schema is not None and group.domain != schema.domain:
            problems.append(
                f"datasets[{i}].schema: '{ds.schema_}' is for domain {schema.domain or 'none'}, "
                f"its group '{ds.dataset_group}' for {group.domain or 'none'}"
            )
    return problems
