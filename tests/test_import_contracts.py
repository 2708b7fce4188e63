"""The import contracts and the type checker of ``make lint`` fail on a violation (issue #18).

A copy of the tree gets forbidden imports, one per kind of rule: the dashboard calling
boto3, a facade module reading the engine, a type-only import that closes a cycle, and the
engine's public rules reaching into the rest of the project. The linter must report each
contract broken, and keep the others.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(dest: Path) -> None:
    for name in ("services", "dashboard", "tools"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _run(args: list[str], cwd: Path, timeout: float = 120) -> tuple[int, str]:
    """A ``make lint`` tool run in ``cwd``: its exit code and everything it printed."""
    run = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    return run.returncode, run.stdout + run.stderr


def _lint_imports(cwd: Path) -> tuple[int, str]:
    return _run([str(LINT_IMPORTS), "--no-cache"], cwd)


def test_contracts_fail_on_forbidden_imports(tmp_path):
    _copy_tree(tmp_path)
    _append(tmp_path / "dashboard" / "components" / "status.py", "\nimport boto3  # noqa\n")
    _append(
        tmp_path / "services" / "workspace" / "alerts.py",
        "\nfrom services.local.data.storage import tables  # noqa\n",
    )
    _append(
        tmp_path / "services" / "personalize" / "models.py",
        "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from services.personalize.facade import PersonalizeService  # noqa\n",
    )
    code, out = _lint_imports(tmp_path)
    assert code == 1, out
    assert "dashboard never talks to boto3 directly (it goes through services) BROKEN" in out
    assert "dashboard.components.status -> boto3" in out
    assert "services read the engine only through its rules and the datasets gateway BROKEN" in out
    assert "services.workspace.alerts -> services.local.data.storage.tables" in out
    assert "no import cycles, type-only and function-level imports included BROKEN" in out
    # the cycle names its modules in order, wrapped over lines
    assert "services.personalize.facade, services.personalize.models" in " ".join(out.split())
    # the rules nobody broke still hold
    assert "services never import the dashboard or streamlit KEPT" in out
    assert "Contracts: 4 kept, 3 broken." in out


def test_rules_are_the_engines_only_open_part_and_import_nothing_else(tmp_path):
    # services.local.rules: the rest of services/ may import it (and nothing else of the
    # engine), and it imports nothing of the project but itself and services.config.
    _copy_tree(tmp_path)
    rules = tmp_path / "services" / "local" / "rules"
    _append(
        rules / "metric_keys.py",
        "\nfrom services import config, errors  # noqa\n"
        "from services.local.data.storage import tables  # noqa\n"
        "from services.local.rules import use_cases  # noqa\n",
    )
    _append(
        tmp_path / "services" / "pipeline" / "options.py",
        "\nfrom services.local.models import metrics  # noqa\n",
    )
    code, out = _lint_imports(tmp_path)
    assert code == 1, out
    assert "services.local.rules imports only itself and services.config BROKEN" in out
    assert "services.local.rules.metric_keys -> services.errors" in out
    assert "services.local.rules.metric_keys -> services.local.data.storage.tables" in out
    # a foundation and a sibling rule are allowed
    assert "services.local.rules.metric_keys -> services.config" not in out
    assert "services.local.rules.metric_keys -> services.local.rules.use_cases" not in out
    assert "services read the engine only through its rules and the datasets gateway BROKEN" in out
    assert "services.pipeline.options -> services.local.models.metrics" in out
    # the same module's import of the rules (METRIC_KEYS) is not one of the illegal ones
    assert "services.pipeline.options -> services.local.rules" not in out
    assert "Contracts: 5 kept, 2 broken." in out


def test_the_tree_keeps_its_contracts():
    code, out = _lint_imports(ROOT)
    assert code == 0, out
    assert "Contracts: 7 kept, 0 broken." in out
    # no import of the engine is excused: the rules it shares are a package of their own
    assert "ignore_imports" not in (ROOT / "pyproject.toml").read_text()


# The type checker: the same untyped function is an error in the facade's package and in the
# engine's wire (strict there) and accepted in another package of services/ (the default
# checks); a wrong return type is an error everywhere.
UNTYPED = "def passed_on(value):\n    return value\n"
WRONG = "def count() -> int:\n    return 'three'\n"


def _mypy(tree: Path) -> tuple[int, str]:
    return _run([sys.executable, "-m", "mypy", "--no-incremental"], tree, timeout=300)


def _package(tree: Path, dotted: str, text: str) -> None:
    """``dotted``'s folders as packages under ``tree``, with ``check.py`` holding ``text``."""
    parts = dotted.split(".")
    for depth in range(1, len(parts) + 1):
        folder = tree.joinpath(*parts[:depth])
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").touch()
    tree.joinpath(*parts, "check.py").write_text(text)


def test_strict_packages_refuse_untyped_code_and_others_accept_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    _package(tmp_path, "services.personalize", UNTYPED)
    _package(tmp_path, "services.local.wire", UNTYPED)
    _package(tmp_path, "services.workspace", UNTYPED)
    code, out = _mypy(tmp_path)
    assert code == 1, out
    assert "services/personalize/check.py:1: error: Function is missing a type annotation" in out
    assert "services/local/wire/check.py:1: error: Function is missing a type annotation" in out
    assert "services/workspace/check.py" not in out
    assert "Found 2 errors in 2 files" in out


def test_a_wrong_type_fails_outside_the_strict_packages_too(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    _package(tmp_path, "services.workspace", WRONG)
    code, out = _mypy(tmp_path)
    assert code == 1, out
    assert "services/workspace/check.py:2: error: Incompatible return value type" in out
