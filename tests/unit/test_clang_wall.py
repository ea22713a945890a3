"""No module outside analyzer/frontend imports clang (DESIGN.md invariant)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_clang_only_imported_by_frontend():
    offenders = []
    for path in list((ROOT / "analyzer").rglob("*.py")) + list((ROOT / "reports").rglob("*.py")):
        if "frontend" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n == "clang" or n.startswith("clang.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
