"""An import-linter contract that no module imports itself through others (``make lint``).

import-linter's own ``acyclic_siblings`` also forbids cycles between packages whose modules do
not import each other in a circle; this one is the rule the project holds to: no cycle of
modules, counting imports inside functions and under ``TYPE_CHECKING`` (grimp sees both).
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    """No strongly connected component of more than one module among ``containers``."""

    type_name = "acyclic_modules"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Kept when the modules under the containers import each other in no circle."""
        roots = [str(c) for c in self.containers]  # type: ignore[attr-defined]
        inside = {m for m in graph.modules if any(m == r or m.startswith(r + ".") for r in roots)}
        edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in inside}
        cycles = [sorted(c) for c in _components(edges) if len(c) > 1]
        return ContractCheck(kept=not cycles, warnings=[], metadata={"cycles": sorted(cycles)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per cycle: the modules in it."""
        for cycle in check.metadata["cycles"]:
            output.print_error(f"cycle of {len(cycle)} modules: {', '.join(cycle)}")
            output.new_line()


def _components(edges: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found
