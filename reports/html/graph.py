"""Ownership graph of a function: layout by `dot -Tjson0` or a layered networkx fallback, SVG view model."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from reports.html.model import GraphEdge, GraphNode, GraphView, SourceView

_MAX_GRAPH_NODES = 250


@dataclass
class _Graph:
    nodes: list[dict[str, Any]]
    edges: list[tuple[int, int, str]]


def _parse_graph(data: Any) -> _Graph | None:
    """networkx node-link data → plain lists; None when it is not in that shape."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        return None
    nodes = [n for n in data["nodes"] if isinstance(n, dict) and "id" in n]
    index = {_key(n["id"]): k for k, n in enumerate(nodes)}
    raw_edges = data.get("edges", data.get("links", []))
    edges = []
    for e in raw_edges if isinstance(raw_edges, list) else []:
        if isinstance(e, dict) and _key(e.get("source")) in index and _key(e.get("target")) in index:
            edges.append((index[_key(e["source"])], index[_key(e["target"])], str(e.get("kind", ""))))
    return _Graph(nodes, edges)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _node_label(node: dict[str, Any]) -> str:
    label = str(node.get("label") or node.get("id"))
    label = " ".join(label.split())
    return label if len(label) <= 40 else label[:39] + "…"


def _css_class(prefix: str, value: Any) -> str:
    text = re.sub(r"[^a-z0-9-]", "", str(value).lower())[:24]
    return f"{prefix}-{text or 'other'}"


def layout_graphs(graphs: dict[str, Any], wanted: set[str]) -> dict[str, GraphView]:
    parsed: dict[str, _Graph] = {}
    views: dict[str, GraphView] = {}
    for usr in sorted(u for u in wanted if u and u in graphs):
        g = _parse_graph(graphs[usr])
        if g is None or not g.nodes:
            continue
        if len(g.nodes) > _MAX_GRAPH_NODES:
            views[usr] = GraphView(0, 0, [], [], "none",
                                   f"The ownership graph has {len(g.nodes)} nodes: too large to draw.")
            continue
        parsed[usr] = g
    if parsed and shutil.which("dot"):
        laid = _dot_layout(parsed)
        if laid is not None:
            views.update(laid)
            return views
    views.update({usr: _layered_layout(g) for usr, g in parsed.items()})
    return views


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_layout(graphs: dict[str, _Graph]) -> dict[str, GraphView] | None:
    """All graphs in one `dot -Tjson0` run; positions only: the SVG is drawn by our template."""
    chunks = []
    for k, g in enumerate(graphs.values()):
        chunks.append(f"digraph g{k} {{\n  graph [rankdir=TB, nodesep=0.25, ranksep=0.45];\n"
                      '  node [shape=box, fontname="Helvetica", fontsize=10, height=0.3];\n'
                      '  edge [fontname="Helvetica", fontsize=9];\n')
        for i, node in enumerate(g.nodes):
            chunks.append(f"  n{i} [label={_dot_string(_node_label(node))}];\n")
        for e, (a, b, kind) in enumerate(g.edges):
            label = f", label={_dot_string(kind[:24])}" if kind else ""
            chunks.append(f'  n{a} -> n{b} [id="e{e}"{label}];\n')
        chunks.append("}\n")
    try:
        proc = subprocess.run(["dot", "-Tjson0"], input="".join(chunks), capture_output=True,
                              text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    docs = _json_stream(proc.stdout)
    if len(docs) != len(graphs):
        return None
    try:
        return {usr: _from_dot(g, doc) for (usr, g), doc in zip(graphs.items(), docs, strict=True)}
    except (KeyError, ValueError, IndexError, TypeError):
        return None


def _json_stream(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return docs
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return docs
        docs.append(doc)


def _from_dot(g: _Graph, doc: dict[str, Any]) -> GraphView:
    _, _, width, height = (float(v) for v in doc["bb"].split(","))
    pad = 4.0
    nodes = []
    for obj in doc.get("objects", []):
        i = int(obj["name"][1:])
        x, y = (float(v) for v in obj["pos"].split(","))
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        nodes.append(_graph_node(g.nodes[i], x - w / 2 + pad, height - y - h / 2 + pad, w, h))
    edges = []
    for e in doc.get("edges", []):
        kind = g.edges[int(e["id"][1:])][2]
        points: list[tuple[float, float]] = []
        end = None
        for part in e["pos"].split():
            if part.startswith("e,"):
                ex, ey = part[2:].split(",")
                end = (float(ex), float(ey))
            elif not part.startswith("s,"):
                px, py = part.split(",")
                points.append((float(px), float(py)))
        flip = [(x + pad, height - y + pad) for x, y in points]
        d = f"M{flip[0][0]:.1f},{flip[0][1]:.1f}"
        for k in range(1, len(flip) - 2, 3):
            d += " C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in flip[k:k + 3])
        if end is not None:
            d += f" L{end[0] + pad:.1f},{height - end[1] + pad:.1f}"
        lx, ly = (float(v) for v in e.get("lp", "0,0").split(","))
        edges.append(GraphEdge(d, _css_class("e", kind), kind[:24], lx + pad, height - ly + pad))
    return GraphView(width + 2 * pad, height + 2 * pad, nodes, edges, "graphviz dot")


def _graph_node(node: dict[str, Any], x: float, y: float, w: float, h: float) -> GraphNode:
    line = node.get("line")
    kind = node.get("kind", "")
    where = f" (line {line})" if isinstance(line, int) and line > 0 else ""
    title = f"{kind}: {node.get('label', node.get('id'))}{where}" if kind else f"{_node_label(node)}{where}"
    # href is filled in per finding page, where the lines on show are known
    return GraphNode(round(x, 1), round(y, 1), round(w, 1), round(h, 1), _node_label(node), title,
                     _css_class("k", kind), f"L{line}" if isinstance(line, int) and line > 0 else "")


def _layered_layout(g: _Graph) -> GraphView:
    """Pure-Python fallback: layers by longest path over the condensation, barycentre order."""
    dg = nx.DiGraph()
    dg.add_nodes_from(range(len(g.nodes)))
    dg.add_edges_from((a, b) for a, b, _ in g.edges if a != b)
    cond = nx.condensation(dg)
    depth: dict[int, int] = {}
    for c in nx.topological_sort(cond):
        depth[c] = max((depth[p] + 1 for p in cond.predecessors(c)), default=0)
    layer_of = {n: depth[cond.graph["mapping"][n]] for n in dg}
    layers: dict[int, list[int]] = defaultdict(list)
    for n in sorted(dg, key=lambda n: (_line_of(g.nodes[n]), n)):
        layers[layer_of[n]].append(n)
    order: dict[int, float] = {}
    for d in sorted(layers):
        if d:
            layers[d].sort(key=lambda n: _barycentre(dg, n, order))
        for k, n in enumerate(layers[d]):
            order[n] = k
    char_w, node_h, gap_x, gap_y, pad = 6.0, 22.0, 18.0, 46.0, 8.0
    widths = {n: 16 + char_w * len(_node_label(g.nodes[n])) for n in dg}
    row_w = {d: sum(widths[n] for n in ns) + gap_x * (len(ns) - 1) for d, ns in layers.items()}
    total_w = max(row_w.values()) + 2 * pad
    pos: dict[int, tuple[float, float]] = {}
    nodes = []
    for d, ns in sorted(layers.items()):
        x = (total_w - row_w[d]) / 2
        y = pad + d * (node_h + gap_y)
        for n in ns:
            pos[n] = (x, y)
            nodes.append(_graph_node(g.nodes[n], x, y, widths[n], node_h))
            x += widths[n] + gap_x
    edges = []
    for a, b, kind in g.edges:
        (ax, ay), (bx, by) = pos[a], pos[b]
        sx, sy = ax + widths[a] / 2, ay + node_h
        tx, ty = bx + widths[b] / 2, by
        if layer_of[b] > layer_of[a]:
            path = f"M{sx:.1f},{sy:.1f} L{tx:.1f},{ty:.1f}"
            lx, ly = (sx + tx) / 2 + 4, (sy + ty) / 2
        else:  # back edge or loop: bow out to the right
            sx, sy = ax + widths[a], ay + node_h / 2
            tx, ty = bx + widths[b], by + node_h / 2
            bow = max(sx, tx) + 30 + 10 * abs(layer_of[a] - layer_of[b])
            path = f"M{sx:.1f},{sy:.1f} C{bow:.1f},{sy:.1f} {bow:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
            lx, ly = bow - 6, (sy + ty) / 2
            total_w = max(total_w, bow + 40)
        edges.append(GraphEdge(path, _css_class("e", kind), kind[:24], lx, ly))
    height = pad * 2 + (max(layers) + 1) * node_h + max(layers) * gap_y
    return GraphView(total_w, height, nodes, edges, "layered layout")


def _line_of(node: dict[str, Any]) -> int:
    line = node.get("line")
    return line if isinstance(line, int) else 1 << 30


def _barycentre(dg: nx.DiGraph, n: int, order: dict[int, float]) -> float:
    preds = [order[p] for p in dg.predecessors(n) if p in order]
    return sum(preds) / len(preds) if preds else float(order.get(n, 0))


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
