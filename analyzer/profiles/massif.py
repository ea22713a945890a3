"""Parser for valgrind massif output (`massif.out.PID`): heap snapshots over time, detailed ones as trees.

    desc: --time-unit=ms
    cmd: ./app 2000
    time_unit: ms
    #-----------
    snapshot=7
    #-----------
    time=2968994
    mem_heap_B=359984
    mem_heap_extra_B=1688
    mem_stacks_B=0
    heap_tree=detailed                              (empty | detailed | peak)
    n2: 359984 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
     n1: 352256 0x1091AE: make(unsigned long) (app.cpp:4)
      n0: 352256 0x10920E: main (app.cpp:5)
     n0: 7728 in 3 places, all below massif's threshold (1.00%)

A tree node `nK: BYTES WHAT` has K children, indented one more space; the root stands for the
allocation functions, its children are their callers (the allocation sites), and so on outwards.
Each node's bytes not covered by its children become one sample whose stack (leaf first) is the
path from the root; the root itself is left out (it stands for the allocator).

`parse` returns the last detailed snapshot; `parse_series` every detailed snapshot (the peak
included) in time order, each with its `SeriesPoint`, for growth over time from one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, SeriesPoint, ValueType

FORMAT = "massif"

SAMPLE_TYPES = (ValueType("inuse_space", "bytes"),)

_NODE_RE = re.compile(r"^( *)n(\d+): (\d+) (.*)$")
_FRAME_RE = re.compile(r"^0x([0-9A-Fa-f]+): (.*?)(?: \((?:in )?([^()]*)\))?$")
_FILE_LINE_RE = re.compile(r"^(.*):(\d+)$")
_SEPARATOR = "#-----------"


@dataclass
class _Node:
    nbytes: int
    what: str
    lineno: int
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Snapshot:
    number: int
    lineno: int
    fields: dict[str, str] = field(default_factory=dict)
    tree: _Node | None = None


def sniff(data: bytes) -> bool:
    head = data[:4096]
    return head.startswith(b"desc:") and b"\ntime_unit:" in head


def parse(data: bytes, path: str) -> Profile:
    """The last detailed snapshot (what is in use at the end of the run)."""
    series = parse_series(data, path)
    return series[-1]


def parse_series(data: bytes, path: str) -> list[Profile]:
    """Every detailed snapshot, oldest first; at least one (an empty profile when massif made none)."""
    if not sniff(data):
        raise NotMyFormat(path)
    header, snapshots = _read(data.decode("utf-8", errors="replace").replace("\r", "").split("\n"), path)
    unit = header.get("time_unit", "i")
    detailed = [s for s in snapshots if s.tree is not None]
    comments = [f"massif: {len(snapshots)} snapshots, {len(detailed)} detailed, time unit {unit}"]
    if header.get("cmd"):
        comments.append(f"command: {header['cmd']}")
    if not detailed:
        last = _time(snapshots[-1], path) if snapshots else 0.0
        empty = ProfileBuilder(1).build(**_profile_args(path, comments, ["no detailed snapshot in this file"]))
        return [replace(empty, series_point=SeriesPoint(0, 1, last, unit))]
    out = []
    for snap in detailed:
        assert snap.tree is not None
        b = ProfileBuilder(1)
        _add_samples(b, snap.tree)
        kind = snap.fields.get("heap_tree", "")
        notes = [*comments, f"snapshot {snap.number} ({kind}) at time {snap.fields.get('time', '?')} {unit}"]
        prof = b.build(**_profile_args(path, notes, []))
        out.append(replace(prof, series_point=SeriesPoint(snap.number, len(detailed), _time(snap, path), unit)))
    return out


def _profile_args(path: str, comments: list[str], warnings: list[str]) -> dict[str, object]:
    return {
        "sample_types": SAMPLE_TYPES,
        "period": 1,
        "period_type": SAMPLE_TYPES[0],
        "source_format": FORMAT,
        "source_path": path,
        "warnings": tuple(warnings),
        "comments": tuple(comments),
        "default_sample_type": "inuse_space",
        "symbolized": True,
    }


def _time(snap: _Snapshot, path: str) -> float:
    try:
        return float(snap.fields.get("time", "0"))
    except ValueError:
        raise MalformedProfile(path, snap.lineno, f"bad time= in snapshot {snap.number}") from None


def _read(lines: list[str], path: str) -> tuple[dict[str, str], list[_Snapshot]]:
    header: dict[str, str] = {}
    snapshots: list[_Snapshot] = []
    cur: _Snapshot | None = None
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        i += 1
        if not ln or ln == _SEPARATOR:
            continue
        if ln.startswith("snapshot="):
            try:
                cur = _Snapshot(int(ln[len("snapshot="):]), i)
            except ValueError:
                raise MalformedProfile(path, i, f"bad snapshot number: {ln[:40]!r}") from None
            snapshots.append(cur)
            continue
        if cur is None:
            key, sep, value = ln.partition(": ")
            if not sep:
                raise MalformedProfile(path, i, f"bad massif header line: {ln[:60]!r}")
            header[key] = value
            continue
        if _NODE_RE.match(ln):
            if cur.fields.get("heap_tree") not in ("detailed", "peak"):
                raise MalformedProfile(path, i, f"tree node in snapshot {cur.number} whose heap_tree is "
                                       f"{cur.fields.get('heap_tree', 'missing')!r}")
            cur.tree, i = _tree(lines, i - 1, path)
            _check_tree(cur, path)
            continue
        key, sep, value = ln.partition("=")
        if not sep:
            raise MalformedProfile(path, i, f"bad massif line: {ln[:60]!r}")
        cur.fields[key] = value
    for snap in snapshots:
        if snap.fields.get("heap_tree") in ("detailed", "peak") and snap.tree is None:
            raise MalformedProfile(path, snap.lineno, f"truncated massif file: snapshot {snap.number} "
                                   "has no heap tree")
    return header, snapshots


def _tree(lines: list[str], start: int, path: str) -> tuple[_Node, int]:
    """Read the node at `start` and its descendants by their child counts; return it and the next index."""
    stack: list[tuple[_Node, int, int]] = []  # node, children still expected, depth
    root: _Node | None = None
    i = start
    while True:
        if i >= len(lines) or not lines[i]:
            raise MalformedProfile(path, i, "truncated massif heap tree (fewer nodes than announced)")
        m = _NODE_RE.match(lines[i])
        if m is None:
            raise MalformedProfile(path, i + 1, f"bad massif tree node: {lines[i].strip()[:60]!r}")
        depth = len(m.group(1))
        expected = stack[-1][2] + 1 if stack else depth
        if depth != expected:
            raise MalformedProfile(path, i + 1, f"massif tree node at depth {depth}, expected {expected}")
        node = _Node(int(m.group(3)), m.group(4), i + 1)
        if stack:
            parent, left, pdepth = stack[-1]
            parent.children.append(node)
            stack[-1] = (parent, left - 1, pdepth)
        else:
            root = node
        stack.append((node, int(m.group(2)), depth))
        i += 1
        while stack and stack[-1][1] == 0:
            stack.pop()
        if not stack:
            assert root is not None
            return root, i


def _check_tree(snap: _Snapshot, path: str) -> None:
    assert snap.tree is not None
    heap = snap.fields.get("mem_heap_B")
    if heap is not None and heap.isdigit() and int(heap) != snap.tree.nbytes:
        raise MalformedProfile(path, snap.tree.lineno, f"snapshot {snap.number}: heap tree holds "
                               f"{snap.tree.nbytes} bytes but mem_heap_B={heap}")
    todo = [snap.tree]
    while todo:
        node = todo.pop()
        if sum(c.nbytes for c in node.children) > node.nbytes:
            raise MalformedProfile(path, node.lineno, "massif tree node smaller than its children")
        todo.extend(node.children)


def _add_samples(b: ProfileBuilder, root: _Node) -> None:
    """The root holds the allocation functions ("(heap allocation functions) malloc/new/...", or the page
    allocation syscalls with --pages-as-heap), which are not part of any stack. Walked with an explicit stack: a
    hostile file may nest deeper than Python recurses."""
    todo: list[tuple[_Node, list[int] | None]] = [(root, None)]
    while todo:
        node, stack = todo.pop()
        here = [] if stack is None else [*stack, _location(b, node.what)]
        own = node.nbytes - sum(c.nbytes for c in node.children)
        if own > 0:
            b.add_sample(here or [_location(b, node.what)], [own])
        todo.extend((child, here) for child in reversed(node.children))


def _location(b: ProfileBuilder, what: str) -> int:
    m = _FRAME_RE.match(what)
    if m is None:
        # "in 3 places, all below massif's threshold (1.00%)": a pseudo frame; its parenthesized
        # name has no function part, so it never counts as a project frame.
        return b.symbolic_location([(f"({what})", "", 0)])
    address, function, where = int(m.group(1), 16), m.group(2), m.group(3) or ""
    if function == "???":
        return b.address_location(address)
    fl = _FILE_LINE_RE.match(where)
    if fl:
        return b.symbolic_location([(function, fl.group(1), int(fl.group(2)))], address)
    # "(in /usr/lib/libfoo.so)": no debug info; the object marks the frame as a library's.
    mapping_id = b.add_mapping(where) if where else 0
    return b.symbolic_location([(function, "", 0)], address, mapping_id)
