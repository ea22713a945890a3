"""Heap growth: the by-function and by-site tables, unexplained growth and the icicle graph."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.model import AnalysisResult, Finding, GrowthStack, human_bytes
from reports.html.model import FlameRect, FlameView, GrowthRow, GrowthView, Row, StackView, UnexplainedView
from reports.html.source import display_path

_FLAME_WIDTH = 1200.0
_FLAME_ROW = 18.0
_FLAME_MAX_DEPTH = 48
_TABLE_LIMIT = 200  # rows of the growth tables (the full data is in the flame graph)


def stack_view(stack: GrowthStack, root: str) -> StackView:
    frames = [fr.function + (f"  {display_path(fr.file, root)}:{fr.line}" if fr.file else "")
              for fr in stack.frames]
    return StackView(stack.bytes, stack.objects, stack.source, frames)


@dataclass
class _Stack:
    stack: GrowthStack
    findings: list[int]


def growth_view(result: AnalysisResult, findings: list[Finding], rows: list[Row]) -> GrowthView | None:
    if not result.unexplained and not any(f.evidence for f in findings):
        return None
    stacks: dict[tuple[Any, ...], _Stack] = {}
    for row, f in zip(rows, findings, strict=True):
        for s in f.evidence.stacks if f.evidence else ():
            key = (s.frames, s.bytes, s.objects, s.source)
            stacks.setdefault(key, _Stack(s, [])).findings.append(row.n)
    for u in result.unexplained:
        s = u.stack
        stacks.setdefault((s.frames, s.bytes, s.objects, s.source), _Stack(s, []))
    items = [x for x in stacks.values() if x.stack.bytes > 0]
    total = sum(x.stack.bytes for x in items)
    explained = sum(x.stack.bytes for x in items if x.findings)
    href = {r.n: r.href for r in rows}
    by_function: dict[str, GrowthRow] = {}
    by_site: dict[tuple[str, str], GrowthRow] = {}
    for x in items:
        s = x.stack
        for name in dict.fromkeys(fr.function for fr in s.frames):  # once per stack: recursion
            _add_growth(by_function.setdefault(name, GrowthRow(name, "", 0, 0, 0.0, 0, [])), x, href)
        if s.frames:
            leaf = s.frames[0]
            where = f"{display_path(leaf.file, result.root)}:{leaf.line}" if leaf.file else ""
            _add_growth(by_site.setdefault((leaf.function, where),
                                           GrowthRow(leaf.function, where, 0, 0, 0.0, 0, [])), x, href)
    for grow in (*by_function.values(), *by_site.values()):
        grow.share = grow.bytes / total if total else 0.0
        grow.findings.sort()
    ordered_f = sorted(by_function.values(), key=lambda r: (-r.bytes, r.name))
    ordered_s = sorted(by_site.values(), key=lambda r: (-r.bytes, r.name, r.where))
    unexplained = [UnexplainedView(
        f"{display_path(u.loc.file, result.root)}:{u.loc.line}" if u.loc else "", u.function,
        u.stack.bytes, u.stack.objects, list(u.candidates), stack_view(u.stack, result.root))
        for u in sorted(result.unexplained, key=lambda u: -u.stack.bytes)]
    return GrowthView(total, explained, ordered_f[:_TABLE_LIMIT], ordered_s[:_TABLE_LIMIT],
                      _flame(items, href), unexplained,
                      len(ordered_f) > _TABLE_LIMIT or len(ordered_s) > _TABLE_LIMIT)


def _add_growth(row: GrowthRow, x: _Stack, href: dict[int, str]) -> None:
    row.bytes += x.stack.bytes
    row.objects += x.stack.objects
    if x.findings:
        row.explained_bytes += x.stack.bytes
    for n in x.findings:
        if (n, href[n]) not in row.findings:
            row.findings.append((n, href[n]))


@dataclass
class _FlameNode:
    name: str
    bytes: int = 0
    explained: int = 0
    findings: set[int] = field(default_factory=set)
    children: dict[str, _FlameNode] = field(default_factory=dict)


def _flame(items: list[_Stack], href: dict[int, str]) -> FlameView | None:
    """Icicle: the root on top, callers above callees; width = bytes grown."""
    root = _FlameNode("all growth")
    for x in items:
        node = root
        chain = [root]
        for fr in reversed(x.stack.frames):
            node = node.children.setdefault(fr.function, _FlameNode(fr.function))
            chain.append(node)
            if len(chain) > _FLAME_MAX_DEPTH:
                break
        for n in chain:
            n.bytes += x.stack.bytes
            if x.findings:
                n.explained += x.stack.bytes
                n.findings.update(x.findings)
    if root.bytes <= 0:
        return None
    rects: list[FlameRect] = []
    scale = _FLAME_WIDTH / root.bytes
    depth_max = 0

    def walk(node: _FlameNode, x: float, depth: int) -> None:
        nonlocal depth_max
        w = node.bytes * scale
        if w < 0.5:
            return
        depth_max = max(depth_max, depth)
        share = node.bytes / root.bytes
        if node.explained >= node.bytes:
            cls, state = "fl-exp", "explained by a finding"
        elif node.explained == 0:
            cls, state = "fl-unexp", "not explained by any finding"
        else:
            cls, state = "fl-mixed", f"{human_bytes(node.explained)} explained by findings"
        title = f"{node.name}: {human_bytes(node.bytes)} ({share:.1%}), {state}"
        link = href[next(iter(node.findings))] if len(node.findings) == 1 else ""
        chars = int((w - 6) / 6.5)
        label = node.name if len(node.name) <= chars else (node.name[:chars - 1] + "…" if chars > 3 else "")
        rects.append(FlameRect(round(x, 2), depth * _FLAME_ROW, round(w, 2), label, title, cls, link))
        for child in sorted(node.children.values(), key=lambda c: (-c.bytes, c.name)):
            walk(child, x, depth + 1)
            x += child.bytes * scale

    walk(root, 0.0, 0)
    return FlameView(_FLAME_WIDTH, (depth_max + 1) * _FLAME_ROW, rects)
