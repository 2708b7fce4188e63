"""Import-linter contracts of the project's own (``make lint``, ``[tool.importlinter]``).

- ``acyclic_modules``: no module imports itself through others. import-linter's own
  ``acyclic_siblings`` also forbids cycles between packages whose modules do not import each
  other in a circle; this one is the rule the project holds to: no cycle of modules, counting
  imports inside functions and under ``TYPE_CHECKING`` (grimp sees both).
- ``gateway``: a package that the rest of the project reads only through named importers,
  save its public subpackages, which anyone may import (import-linter's ``protected`` contract
  protects a package with all its descendants, so it cannot leave one open).
- ``stand_alone``: a package whose modules import, of the project, only each other and named
  foundations (the standard library and third-party packages are not the project's).
"""

from __future__ import annotations

from collections.abc import Iterable

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


def _within(module: str, packages: Iterable[str]) -> bool:
    """Whether ``module`` is one of ``packages`` or a descendant of one."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def _lines(graph: ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    return ", ".join(str(d["line_number"]) for d in details)


class GatewayContract(Contract):
    """Outside ``package``, only ``gateways`` import it, save its ``public`` subpackages."""

    type_name = "gateway"

    package = fields.StringField()
    public = fields.ListField(subfield=fields.StringField())
    gateways = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Kept when every import of a non-public module of ``package`` from outside it comes
        from a gateway (or a descendant of one)."""
        package = str(self.package)  # type: ignore[attr-defined]
        public = [str(p) for p in self.public]  # type: ignore[attr-defined]
        gateways = [str(g) for g in self.gateways]  # type: ignore[attr-defined]
        illegal = []
        for imported in sorted(m for m in graph.modules if _within(m, [package])):
            if _within(imported, public):
                continue
            for importer in sorted(graph.find_modules_that_directly_import(imported)):
                if not _within(importer, [package, *gateways]):
                    illegal.append((importer, imported, _lines(graph, importer, imported)))
        return ContractCheck(kept=not illegal, warnings=[], metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per import that bypasses the gateways."""
        for importer, imported, lines in check.metadata["illegal"]:
            output.print_error(f"- {importer} -> {imported} (l.{lines})", bold=False)
            output.new_line()


class StandAloneContract(Contract):
    """The modules of ``packages`` import, of the project, only each other and ``foundations``."""

    type_name = "stand_alone"

    packages = fields.ListField(subfield=fields.StringField())
    foundations = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Kept when no module under ``packages`` imports a module of the root packages outside
        ``packages`` and ``foundations``."""
        packages = [str(p) for p in self.packages]  # type: ignore[attr-defined]
        allowed = [*packages, *(str(f) for f in self.foundations)]  # type: ignore[attr-defined]
        roots = [str(r) for r in self.session_options["root_packages"]]
        illegal = []
        for importer in sorted(m for m in graph.modules if _within(m, packages)):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if _within(imported, roots) and not _within(imported, allowed):
                    illegal.append((importer, imported, _lines(graph, importer, imported)))
        return ContractCheck(kept=not illegal, warnings=[], metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per import of the project from outside the allowed packages."""
        for importer, imported, lines in check.metadata["illegal"]:
            output.print_error(f"- {importer} -> {imported} (l.{lines})", bold=False)
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
