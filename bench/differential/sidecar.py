"""The JSON written next to every generated program: what the generator built and where it landed.

It holds the program's shapes, every acquisition site (function, line, resource class, acquirer, shape labels),
which sites each function hands to its caller, and the lines that only run when an allocation fails. The judge
reads nothing else about the program.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .interp import Coverage
from .program import (
    DOMAIN,
    Acquire,
    BoolOp,
    Break,
    CallWorker,
    Continue,
    Discard,
    Goto,
    If,
    Loop,
    Move,
    NullCheck,
    OutAcquire,
    Program,
    Realloc,
    Release,
    walk,
)
from .render import Rendered
from .shapes import signature


def program_shapes(prog: Program, tags: dict[int, set[str]]) -> list[str]:
    """Every construct the program contains (function prototypes, control flow, hand-overs, site labels)."""
    out: set[str] = set()
    for f in prog.funcs:
        out.add(f"proto:{f.proto}")
        if f.goto_style:
            out.add("goto-cleanup")
        for s in walk(f.body):
            if isinstance(s, If):
                out.add("branch-compound" if isinstance(s.cond, BoolOp) else "branch")
                if s.cond.__class__.__name__ == "Cmp" and not s.cond.lhs.startswith("in["):
                    out.add("branch-on-counter")
            elif isinstance(s, Loop):
                out.add("loop-const" if s.bound.kind == "const" else "loop-input")
            elif isinstance(s, (Continue, Break, Goto)):
                out.add(type(s).__name__.lower())
            elif isinstance(s, Move):
                out.add(f"store:{s.kind}")
            elif isinstance(s, Realloc):
                out.add("realloc-self" if s.tmp is None else "realloc-tmp")
            elif isinstance(s, NullCheck):
                out.add("null-check" if s.failure_only else "null-result-check")
            elif isinstance(s, (Acquire, OutAcquire, Discard)):
                out.add(f"acquire:{s.kind}")
            elif isinstance(s, Release):
                out.add(f"release:{s.how}")
            elif isinstance(s, CallWorker):
                out.add("call:ctxfill" if s.site is not None else "call:status")
    for t in tags.values():
        out.update(t)
    if "acquire:ctx_new" in out and not prog.ctx_frees_extra:
        out.add("ctx-destructor-forgets-a-member")
    return sorted(out)


def make(prog: Program, rendered: Rendered, cov: Coverage, tags: dict[int, set[str]], source_name: str,
         index: int | None = None) -> dict:
    sites = {}
    for key, s in rendered.sites.items():
        site_tags = sorted(tags.get(int(key[1:]), ())) if key.startswith("s") else ["lib"]
        sig = signature(set(site_tags)) if key.startswith("s") else f"lib:{key[2:]}"
        sites[key] = {"func": s.func, "line": s.line, "cls": s.cls, "kind": s.kind, "callee": s.callee,
                      "tags": site_tags, "signature": sig}
    handouts = {fn: sorted(keys) for fn, keys in rendered.lib_handouts.items()}
    for fn, keys in cov.handouts.items():
        handouts.setdefault(fn, [])
        handouts[fn] = sorted(set(handouts[fn]) | keys)
    return {
        "label": prog.seed, "index": index, "source": source_name, "inputs": prog.inputs, "domain": DOMAIN,
        "functions": {f.name: {"proto": f.proto, "span": rendered.func_spans[f.name]} for f in prog.funcs},
        "shapes": program_shapes(prog, tags),
        "sites": sites,
        "handouts": handouts,
        "failure_lines": sorted(rendered.failure_lines),
        "failure_checks": {str(k): v for k, v in sorted(rendered.failure_checks.items())},
        "realloc_self_lines": sorted(rendered.realloc_self_lines),
    }


@dataclass
class Sidecar:
    data: dict

    @classmethod
    def load(cls, path: Path) -> Sidecar:
        return cls(json.loads(path.read_text()))

    def __post_init__(self) -> None:
        self._by_place = {(s["func"], s["line"]): key for key, s in self.data["sites"].items()}
        self._by_line: dict[int, list[str]] = {}
        for key, s in self.data["sites"].items():
            self._by_line.setdefault(s["line"], []).append(key)

    @property
    def source(self) -> str:
        return self.data["source"]

    def site(self, key: str) -> dict:
        return self.data["sites"][key]

    def site_at(self, func: str, line: int) -> str | None:
        return self._by_place.get((func, line))

    def site_on_line(self, line: int) -> str | None:
        keys = self._by_line.get(line, [])
        return keys[0] if len(keys) == 1 else None

    def hands_out(self, func: str, key: str) -> bool:
        return key in self.data["handouts"].get(func, ())

    @property
    def failure_lines(self) -> set[int]:
        return set(self.data["failure_lines"])

    @property
    def failure_checks(self) -> dict[int, str]:
        return {int(k): v for k, v in self.data["failure_checks"].items()}

    @property
    def realloc_self_lines(self) -> set[int]:
        return set(self.data["realloc_self_lines"])
