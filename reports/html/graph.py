"""Ownership graph of a function as an SVG view model: laid out by graphviz `dot`, or in layers by networkx."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any, cast

import networkx as nx
from networkx.drawing import nx_pydot

from reports.html.model import GraphEdge, GraphNode, GraphView, SourceView

_MAX_GRAPH_NODES = 250
_NODE_LABEL_MAX = 40
_EDGE_LABEL_MAX = 24

# dot's attributes: positions only come back, the SVG is drawn by our template
_DOT_DEFAULTS = {
    "graph": {"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.45"},
    "node": {"shape": "box", "fontname": "Helvetica", "fontsize": "10", "height": "0.3"},
    "edge": {"fontname": "Helvetica", "fontsize": "9"},
}
_DOT_PAD = 4.0
_LABEL_GAP = 3.0  # between an edge and its label
_NON_SPACE = re.compile(r"\S")


def layout_graphs(graphs: dict[str, Any], wanted: set[str]) -> dict[str, GraphView]:
    """A view of each wanted function's stored graph; those not stored or not a graph are left out."""
    drawable: dict[str, nx.MultiDiGraph] = {}
    views: dict[str, GraphView] = {}
    for usr in sorted(u for u in wanted if u and u in graphs):
        g = _parse_graph(graphs[usr])
        if g is None or not len(g):
            continue
        if len(g) > _MAX_GRAPH_NODES:
            views[usr] = GraphView(0, 0, [], [], "none", f"The ownership graph has {len(g)} nodes: too large to draw.")
        else:
            drawable[usr] = g
    laid = _dot_layout(drawable) if drawable and shutil.which("dot") else None
    if laid is None:
        laid = {usr: _layered_layout(g) for usr, g in drawable.items()}
    views.update(laid)
    return views


def _parse_graph(data: Any) -> nx.MultiDiGraph | None:
    """Stored node-link data → a graph on nodes 0..n-1 in stored order (their id kept as attribute 'id').

    None when the data is not node-link data. Edges count as directed, parallel ones are kept.
    """
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        return None
    edges_key = "links" if "links" in data and "edges" not in data else "edges"
    fixed = {**data, "directed": True, "multigraph": True, "graph": {}, edges_key: data.get(edges_key) or []}
    try:
        g = nx.node_link_graph(fixed, edges=edges_key)
    except (AttributeError, KeyError, TypeError, ValueError):  # nodes or edges that are not id'd dicts
        return None
    return cast(nx.MultiDiGraph, nx.convert_node_labels_to_integers(g, label_attribute="id"))


def _node_label(node: dict[str, Any]) -> str:
    label = " ".join(str(node.get("label") or node.get("id")).split())
    return label if len(label) <= _NODE_LABEL_MAX else label[:_NODE_LABEL_MAX - 1] + "…"


def _edge_kinds(g: nx.MultiDiGraph) -> Iterator[tuple[int, int, str]]:
    for a, b, kind in g.edges(data="kind", default=""):
        yield a, b, str(kind)


def _css_class(prefix: str, value: Any) -> str:
    text = re.sub(r"[^a-z0-9-]", "", str(value).lower())[:24]
    return f"{prefix}-{text or 'other'}"


def _graph_node(node: dict[str, Any], x: float, y: float, w: float, h: float) -> GraphNode:
    line = node.get("line")
    kind = node.get("kind", "")
    where = f" (line {line})" if isinstance(line, int) and line > 0 else ""
    title = f"{kind}: {node.get('label', node.get('id'))}{where}" if kind else f"{_node_label(node)}{where}"
    # href is filled in per finding page, where the lines on show are known
    return GraphNode(round(x, 1), round(y, 1), round(w, 1), round(h, 1), _node_label(node), title,
                     _css_class("k", kind), f"L{line}" if isinstance(line, int) and line > 0 else "")


# ---- graphviz dot ----------------------------------------------------------------------------

def _dot_quoted(text: str) -> str:
    """A DOT string literal. pydot passes values that already look quoted (or like HTML labels) through as
    they are and does not escape backslashes, so text taken from C code is quoted here."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_source(g: nx.MultiDiGraph) -> str:
    """The DOT text of `g` for sizing and placing: node n<i> is node i, edge e<k> the k-th of `g.edges`."""
    drawing: nx.MultiDiGraph = nx.MultiDiGraph()
    drawing.graph.update(_DOT_DEFAULTS)
    for n, attrs in g.nodes(data=True):
        drawing.add_node(f"n{n}", label=_dot_quoted(_node_label(attrs)))
    for k, (a, b, kind) in enumerate(_edge_kinds(g)):
        label = {"label": _dot_quoted(kind[:_EDGE_LABEL_MAX])} if kind else {}
        drawing.add_edge(f"n{a}", f"n{b}", id=f"e{k}", **label)
    return str(nx_pydot.to_pydot(drawing).to_string())


def _dot_layout(graphs: dict[str, nx.MultiDiGraph]) -> dict[str, GraphView] | None:
    """All graphs in one `dot -Tjson` run; None when dot fails or answers something unexpected."""
    try:
        proc = subprocess.run(["dot", "-Tjson"], input="".join(_dot_source(g) for g in graphs.values()),
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    docs = _json_stream(proc.stdout) if proc.returncode == 0 else []
    if len(docs) != len(graphs):
        return None
    try:
        return {usr: _from_dot(g, doc) for (usr, g), doc in zip(graphs.items(), docs, strict=True)}
    except (KeyError, ValueError, IndexError, TypeError):
        return None


def _json_stream(text: str) -> list[Any]:
    """The JSON documents written one after the other (dot writes one per graph)."""
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos = 0
    while (start := _NON_SPACE.search(text, pos)) is not None:
        try:
            doc, pos = decoder.raw_decode(text, start.start())
        except ValueError:
            break
        docs.append(doc)
    return docs


def _from_dot(g: nx.MultiDiGraph, doc: dict[str, Any]) -> GraphView:
    """dot's coordinates (points, y up) → SVG user units (y down), with a margin."""
    height = float(doc["bb"].split(",")[3])

    def flip(x: float, y: float) -> tuple[float, float]:
        return x + _DOT_PAD, height - y + _DOT_PAD

    nodes = []
    for obj in doc.get("objects", []):
        cx, cy = flip(*_point(obj["pos"]))
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        nodes.append(_graph_node(g.nodes[int(obj["name"][1:])], cx - w / 2, cy - h / 2, w, h))
    kinds = [kind for _, _, kind in _edge_kinds(g)]
    edges = []
    for e in doc.get("edges", []):
        kind = kinds[int(e["id"][1:])]
        lx, ly = _edge_label_start(e)
        edges.append(GraphEdge(_spline_path(e["pos"], flip), _css_class("e", kind), kind[:_EDGE_LABEL_MAX],
                               *flip(lx, ly)))
    width = float(doc["bb"].split(",")[2])
    return GraphView(width + 2 * _DOT_PAD, height + 2 * _DOT_PAD, nodes, edges, "graphviz dot")


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")
    return float(x), float(y)


def _spline_path(pos: str, flip: Callable[[float, float], tuple[float, float]]) -> str:
    """An edge's `pos` ("[s,x,y] [e,x,y] p0 p1 p2 p3 ...", cubic Bézier pieces) as an SVG path to its end."""
    points = [flip(*_point(part)) for part in pos.split() if not part.startswith(("s,", "e,"))]
    ends = [flip(*_point(part[2:])) for part in pos.split() if part.startswith("e,")]
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for k in range(1, len(points) - 2, 3):
        d += " C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in points[k:k + 3])
    if ends:  # the arrow's tip: the marker is drawn at the end of the path
        d += f" L{ends[0][0]:.1f},{ends[0][1]:.1f}"
    return d


def _edge_label_start(edge: dict[str, Any]) -> tuple[float, float]:
    """Where the label's text starts (dot coordinates): dot centres it on `lp`, just right of the edge; the
    template starts the text at the point given, and the browser's font runs a little wider than dot's."""
    for op in edge.get("_ldraw_", []):
        if op.get("op") == "T":
            x, y = op["pt"]
            return float(x) - float(op.get("width", 0)) / 2 + _LABEL_GAP, float(y)
    return _point(edge.get("lp", "0,0"))


# ---- fallback without graphviz: layers by networkx ---------------------------------------------

_CHAR_W, _NODE_H, _GAP_X, _GAP_Y, _PAD = 6.0, 22.0, 18.0, 46.0, 8.0


def _layers(g: nx.MultiDiGraph) -> list[list[int]]:
    """Nodes by depth (longest path from a source, each cycle on one layer), ordered to limit crossings:
    by line in the first layer, then by the mean position of their predecessors above."""
    flow: nx.DiGraph = nx.DiGraph(g)
    flow.remove_edges_from(list(nx.selfloop_edges(flow)))
    cond = nx.condensation(flow)
    layers = [sorted((n for c in gen for n in cond.nodes[c]["members"]), key=lambda n: (_line_of(g.nodes[n]), n))
              for gen in nx.topological_generations(cond)]
    order: dict[int, int] = {}
    for depth, layer in enumerate(layers):
        if depth:
            layer.sort(key=lambda n: _barycentre(flow, n, order))
        order.update((n, k) for k, n in enumerate(layer))
    return layers


def _line_of(node: dict[str, Any]) -> int:
    line = node.get("line")
    return line if isinstance(line, int) else 1 << 30


def _barycentre(flow: nx.DiGraph, n: int, order: dict[int, int]) -> float:
    placed = [order[p] for p in flow.predecessors(n) if p in order]
    return sum(placed) / len(placed) if placed else 0.0


def _layered_layout(g: nx.MultiDiGraph) -> GraphView:
    """Rows of boxes centred on the widest; edges down as lines, edges up or sideways bowed out to the right."""
    layers = _layers(g)
    layer_of = {n: d for d, layer in enumerate(layers) for n in layer}
    widths = {n: 16 + _CHAR_W * len(_node_label(attrs)) for n, attrs in g.nodes(data=True)}
    row_w = [sum(widths[n] for n in layer) + _GAP_X * (len(layer) - 1) for layer in layers]
    total_w = max(row_w) + 2 * _PAD
    pos: dict[int, tuple[float, float]] = {}
    nodes = []
    for d, layer in enumerate(layers):
        x, y = (total_w - row_w[d]) / 2, _PAD + d * (_NODE_H + _GAP_Y)
        for n in layer:
            pos[n] = (x, y)
            nodes.append(_graph_node(g.nodes[n], x, y, widths[n], _NODE_H))
            x += widths[n] + _GAP_X
    edges = []
    for a, b, kind in _edge_kinds(g):
        (ax, ay), (bx, by) = pos[a], pos[b]
        if layer_of[b] > layer_of[a]:
            sx, sy, tx, ty = ax + widths[a] / 2, ay + _NODE_H, bx + widths[b] / 2, by
            path = f"M{sx:.1f},{sy:.1f} L{tx:.1f},{ty:.1f}"
            lx, ly = (sx + tx) / 2 + 4, (sy + ty) / 2
        else:
            sx, sy, tx, ty = ax + widths[a], ay + _NODE_H / 2, bx + widths[b], by + _NODE_H / 2
            bow = max(sx, tx) + 30 + 10 * abs(layer_of[a] - layer_of[b])
            path = f"M{sx:.1f},{sy:.1f} C{bow:.1f},{sy:.1f} {bow:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
            lx, ly = bow - 6, (sy + ty) / 2
            total_w = max(total_w, bow + 40)
        edges.append(GraphEdge(path, _css_class("e", kind), kind[:_EDGE_LABEL_MAX], lx, ly))
    height = _PAD * 2 + len(layers) * _NODE_H + (len(layers) - 1) * _GAP_Y
    return GraphView(total_w, height, nodes, edges, "layered layout")


def link_graph(graph: GraphView, prefix: str, source: SourceView) -> GraphView:
    """Nodes link to their line on the page when that line is shown."""
    nodes = []
    for node in graph.nodes:
        href = ""
        if node.href.startswith("L"):
            line = int(node.href[1:])
            if source.first <= line <= source.last:
                href = f"#{prefix}L{line}"
        nodes.append(GraphNode(node.x, node.y, node.w, node.h, node.label, node.title, node.cls, href))
    return GraphView(graph.width, graph.height, nodes, graph.edges, graph.engine, graph.note)
