"""Ownership graph layout: DOT text by networkx/pydot laid out by graphviz, the networkx layered fallback."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reports.html.graph import layout_graphs
from reports.html.model import GraphView
from tests.reports.conftest import render_html

from .cdp import Browser, available
from .sample import graph, small_result, synthetic_result

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed (Debian graphviz)")

# labels that break DOT text unless quoted: a trailing backslash, quotes, HTML-like, keywords, DOT syntax
HOSTILE = ["free(p\\", '"q"', "<b>x</b>", "node", "strict", "graph", "{x; y}", '"a" + "b"', "-> n0 [", "é\\n\\\\",
           'printf("%s\\n", s)', "'\\''"]


def lay_out(data: dict, *, dot: bool, monkeypatch: pytest.MonkeyPatch) -> GraphView:
    if not dot:
        monkeypatch.setattr(shutil, "which", lambda name: None)
    return layout_graphs({"c:@F@f": data}, {"c:@F@f"})["c:@F@f"]


def by_label(view: GraphView) -> dict[str, tuple[float, float]]:
    return {n.label: (n.x, n.y) for n in view.nodes}


@needs_dot
def test_dot_lays_out_hostile_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    data = graph([(i, "var", label, 3) for i, label in enumerate(HOSTILE)],
                 [(i, i + 1, label) for i, label in enumerate(HOSTILE[:-1])])
    view = lay_out(data, dot=True, monkeypatch=monkeypatch)
    assert view.engine == "graphviz dot"  # dot read the text: no fall back to the layered layout
    assert [n.label for n in view.nodes] == HOSTILE
    assert sorted(e.label for e in view.edges) == sorted(label[:24] for label in HOSTILE[:-1])
    ys = [y for _, y in by_label(view).values()]
    assert ys == sorted(ys) and len(set(ys)) == len(HOSTILE)  # a chain: one rank each, top to bottom


@needs_dot
def test_dot_keeps_parallel_edges_and_self_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    data = graph([("a", "var", "a", 1), ("b", "var", "b", 2)], [("a", "b", "x"), ("b", "b", "y")])
    data["multigraph"] = True
    data["edges"].append({"source": "a", "target": "b", "kind": "z"})
    view = lay_out(data, dot=True, monkeypatch=monkeypatch)
    assert view.engine == "graphviz dot"
    assert sorted(e.label for e in view.edges) == ["x", "y", "z"]


def test_layered_fallback_layers_by_longest_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # a -> b -> c and a shortcut a -> c; c <-> d is a cycle (one layer); d -> d loops; e hangs below d
    data = graph([(k, "var", k, n) for n, k in enumerate("abcde", 1)],
                 [("a", "b", "1"), ("b", "c", "2"), ("a", "c", "3"), ("c", "d", "4"), ("d", "c", "5"),
                  ("d", "d", "6"), ("d", "e", "7")])
    view = lay_out(data, dot=False, monkeypatch=monkeypatch)
    assert view.engine == "layered layout"
    pos = by_label(view)
    assert pos["a"][1] < pos["b"][1] < pos["c"][1] == pos["d"][1] < pos["e"][1]
    assert pos["c"][0] < pos["d"][0]  # same layer: by line
    straight = {e.label for e in view.edges if " C" not in e.d}
    assert straight == {"1", "2", "3", "7"}  # downwards; the rest bow out to the right


def test_layered_fallback_orders_a_layer_under_its_predecessors(monkeypatch: pytest.MonkeyPatch) -> None:
    # line order alone would put x (line 3) left of y (line 4): x hangs under the right-hand root
    data = graph([("l", "var", "left", 1), ("r", "var", "right", 2), ("x", "var", "x", 3), ("y", "var", "y", 4)],
                 [("r", "x", ""), ("l", "y", "")])
    pos = by_label(lay_out(data, dot=False, monkeypatch=monkeypatch))
    assert pos["left"][0] < pos["right"][0] and pos["y"][0] < pos["x"][0]


@pytest.mark.parametrize("dot", [True, False])
def test_graph_data_shapes(monkeypatch: pytest.MonkeyPatch, dot: bool) -> None:
    if dot and shutil.which("dot") is None:
        pytest.skip("graphviz is not installed")
    older = graph([(0, "acquire", "malloc()", 3), (1, "var", "p", 3)], [(0, 1, "owns")])
    older["links"] = older.pop("edges")  # networkx < 3.4 wrote "links"
    assert [e.label for e in lay_out(older, dot=dot, monkeypatch=monkeypatch).edges] == ["owns"]
    undirected = graph([(0, "var", "a", 3), (1, "var", "b", 4)], [(0, 1, "flow")]) | {"directed": False}
    assert len(lay_out(undirected, dot=dot, monkeypatch=monkeypatch).edges) == 1  # still one arrow
    views = layout_graphs({"f": {"nodes": ["not a node"]}, "g": {"nodes": [{"id": [1]}, {"id": {"x": 1}}]},
                           "h": {"nodes": []}}, {"f", "g", "h"})
    assert views == {}


OVERLAPS = """(() => {
    const svg = document.querySelector('svg.ograph');
    const boxes = sel => [...svg.querySelectorAll(sel)].map(e => [e.textContent, e.getBBox()]);
    const meet = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const labels = boxes('.edge text'), nodes = boxes('.node rect');
    return labels.flatMap(([t, l], i) => [...nodes, ...labels.slice(i + 1)].filter(([, b]) => meet(l, b))
                                                                         .map(([u]) => [t, u])); })()"""


@pytest.mark.slow
@pytest.mark.skipif(not available() or shutil.which("dot") is None, reason="needs chromium and graphviz")
def test_edge_labels_clear_of_nodes_and_each_other_in_the_browser(tmp_path: Path) -> None:
    render_html(small_result(tmp_path / "src"), tmp_path / "small")
    render_html(synthetic_result(tmp_path / "src-syn", 3, files=1), tmp_path / "syn")
    with Browser(tmp_path / "profile") as browser:
        for page, labels in (("small/finding-1.html", 8), ("small/finding-3.html", 2), ("syn/finding-1.html", 4)):
            browser.open((tmp_path / page).as_uri())
            assert browser.errors == []
            assert browser.evaluate("document.querySelectorAll('svg.ograph .edge text').length") == labels
            assert browser.evaluate(OVERLAPS) == [], page
