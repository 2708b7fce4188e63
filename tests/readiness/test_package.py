import ast
from pathlib import Path

import services.readiness as readiness

PACKAGE = Path(readiness.__file__).parent


def test_public_api_is_exported():
    for name in readiness.__all__:
        assert hasattr(readiness, name), name


def test_no_streamlit_or_eval_in_services():
    for path in [*PACKAGE.glob("*.py"), PACKAGE.parent / "csv_safety.py"]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.split(".")[0] == "streamlit" for n in names), path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec"}, path
