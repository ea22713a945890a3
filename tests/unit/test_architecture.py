"""The layout keeps its shape: no import cycle in analyzer/, reports/ only render, nothing imports the CLI, and no
function is too complex to read (radon cyclomatic complexity at most 25)."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("analyzer", "reports")
# what a renderer may import from the analyzer: the result model and leaf utilities, never the analysis
REPORTS_MAY_IMPORT = {"analyzer", "analyzer.model", "analyzer.codec", "analyzer.sourcetext"}
MAX_COMPLEXITY = 25


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules `name` imports at run time (also inside functions; not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add(sub if sub in modules else base)
    return {m for m in found if m in modules and m != name}


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    modules = _modules()
    g = nx.DiGraph()
    for name, path in modules.items():
        g.add_node(name)
        g.add_edges_from((name, dep) for dep in _imports(name, path, modules))
    return g


def test_no_import_cycle_in_the_packages(graph: nx.DiGraph) -> None:
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles[:5])


def test_reports_only_render(graph: nx.DiGraph) -> None:
    bad = {(m, dep) for m, dep in graph.edges if m.startswith("reports") and dep.startswith("analyzer")
           and dep not in REPORTS_MAY_IMPORT}
    assert not bad, f"reports/ imports the analysis: {sorted(bad)}"


def test_nothing_imports_the_cli_but_main(graph: nx.DiGraph) -> None:
    bad = {(m, dep) for m, dep in graph.edges if dep.startswith("analyzer.cli") and not m.startswith("analyzer.cli")
           and m != "analyzer.__main__"}
    assert not bad, f"the CLI is imported by {sorted(bad)}"


def test_the_graph_sees_lazy_imports(graph: nx.DiGraph) -> None:
    # analyzer.phase1 imports the libclang frontend lazily, inside the worker function
    assert graph.has_edge("analyzer.phase1", "analyzer.frontend.tu")


def test_no_function_is_too_complex() -> None:
    radon = pytest.importorskip("radon.complexity", reason="radon is a test dependency (pyproject [test] extra)")
    too_complex = []
    for path in _modules().values():
        for block in radon.cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > MAX_COMPLEXITY:
                too_complex.append(f"{path.relative_to(REPO)}:{block.lineno} {block.fullname} ({block.complexity})")
    assert not too_complex, "cyclomatic complexity above 25: " + ", ".join(too_complex)
