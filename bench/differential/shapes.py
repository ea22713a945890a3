"""A path-insensitive may-analysis over the generator's language: which variables may hold which acquisition sites.

Two uses. The generator asks it whether a statement is safe on every path (no release or use of something already
released or handed over, no fclose/close of an invalid handle) before keeping it, so generated programs never
reach undefined behaviour. Over a finished program it labels every acquisition site with the shapes it went
through ("released:free", "exit-owned:return", "moved:global", ...): the generator's record of what it built.
These labels describe code, they are no verdict: LeakSanitizer decides what leaked.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .program import (
    Acquire,
    Assign,
    Break,
    CallWorker,
    Continue,
    Discard,
    Func,
    Goto,
    If,
    Loop,
    Move,
    NullCheck,
    OutAcquire,
    Program,
    Realloc,
    Release,
    Return,
    Stmt,
    Use,
)

NULL, DANGLING, MOVED = "N", "D", "M"
State = dict[str, frozenset]

# labels left out of a site's signature: where it sits and what merely touched it, not what became of it
NOISE = {"used", "null-checked", "status-checked", "in-branch", "block-local", "release-in-branch"}


def join(a: State | None, b: State | None) -> State | None:
    if a is None:
        return b
    if b is None:
        return a
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, frozenset({NULL})) | v
    for k in a.keys() - b.keys():
        out[k] = a[k] | {NULL}
    return out


def sites_in(tokens: frozenset) -> set[int]:
    return {t for t in tokens if isinstance(t, int)}


@dataclass
class _Loop:
    continues: list[State] = field(default_factory=list)
    breaks: list[State] = field(default_factory=list)
    scope_depth: int = 0


class Engine:
    """Abstract execution of one function. `problems` lists unsafe operations; `tags` labels sites."""

    def __init__(self, prog: Program, func: Func, tagging: bool = False, loop_depth: int = 0,
                 branch_depth: int = 0) -> None:
        self.prog, self.func, self.tagging = prog, func, tagging
        self.problems: list[str] = []
        self.tags: dict[int, set[str]] = defaultdict(set)
        self.gotos: list[State] = []
        self.loops: list[_Loop] = [_Loop() for _ in range(loop_depth)]
        self.branch_depth = branch_depth
        self.scopes: list[set[str]] = [set()]
        self.site_depth: dict[int, int] = {}

    # ---- helpers ---------------------------------------------------------------------------------------------
    def tag(self, tokens: frozenset | set, label: str) -> None:
        if self.tagging:
            for s in sites_in(frozenset(tokens)):
                self.tags[s].add(label)

    def initial(self) -> State:
        st: State = {v: frozenset({NULL}) for v in self.func.locals}
        if self.func.struct_local:
            st.update({"st.a": frozenset({NULL}), "st.b": frozenset({NULL})})
        return st

    def owned_lvs(self, st: State) -> list[str]:
        return [lv for lv, toks in st.items() if sites_in(toks)]

    def _unsafe(self, what: str, lv: str, toks: frozenset) -> None:
        self.problems.append(f"{self.func.name}: {what} {lv} {sorted(map(str, toks))}")

    def _acquired(self, st: State, site: int, dst: str, kind: str, tokens: frozenset) -> None:
        old = st.get(dst, frozenset({NULL}))
        self.tag(old, "overwritten")
        st[dst] = tokens
        self.site_depth[site] = self.branch_depth
        self.tag({site}, f"acq:{kind}")
        if self.loops:
            self.tag({site}, "in-loop")
        if self.branch_depth:
            self.tag({site}, "in-branch")
        if "." not in dst and "->" not in dst:  # a new object: its fields start empty
            for f in ("name", "extra"):
                st.pop(f"{dst}->{f}", None)

    # ---- blocks ----------------------------------------------------------------------------------------------
    def block(self, stmts: list[Stmt], st: State | None) -> State | None:
        self.scopes.append(set())
        for s in stmts:
            if st is None:
                break
            st = self.stmt(s, st)
        declared = self.scopes.pop()
        if st is not None:
            st = dict(st)
            for v in declared:
                self.tag(st.get(v, frozenset()), "scope-end-owned")
                st.pop(v, None)
        return st

    def _drop_scopes_to(self, st: State, depth: int, label: str) -> None:
        for scope in self.scopes[depth:]:
            for v in scope:
                self.tag(st.get(v, frozenset()), label)

    def run_function(self) -> State | None:
        """The whole body, then (goto style) the cleanup after `out:`; tags exits and the end."""
        st = self.block(self.func.body, self.initial())
        if self.func.goto_style:
            st = join(st, None)
            for g in self.gotos:
                st = join(st, g)
            if st is not None:
                st = dict(st)
                for v in self.func.cleanup:
                    toks = st.get(v, frozenset({NULL}))
                    if toks & {DANGLING, MOVED}:
                        self._unsafe("cleanup of", v, toks)
                    self.tag(toks, "goto-cleanup")
                    st[v] = frozenset({NULL})
        if st is not None:
            for lv in self.owned_lvs(st):
                self.tag(st[lv], "end-owned")
        return st

    # ---- statements ------------------------------------------------------------------------------------------
    def stmt(self, s: Stmt, st: State) -> State | None:
        st = dict(st)
        if isinstance(s, Acquire):
            if s.decl:
                self.scopes[-1].add(s.dst)
            nullable = s.kind == "worker_ret"
            self._acquired(st, s.site, s.dst, s.kind, frozenset({s.site, NULL}) if nullable else frozenset({s.site}))
            if s.decl and len(self.scopes) > 2:
                self.tag({s.site}, "block-local")
            return st
        if isinstance(s, Discard):
            self.tag({s.site}, f"acq:{s.kind}")
            self.tag({s.site}, "discarded")
            return st
        if isinstance(s, OutAcquire):
            old = st.get(s.var, frozenset({NULL}))
            fail_state = dict(st)
            self._acquired(st, s.site, s.var, s.kind, frozenset({s.site}))
            if s.on_fail is None:
                if s.kind == "worker_out":
                    st[s.var] = st[s.var] | old
                return st
            self.tag({s.site}, "status-checked")
            self.branch_depth += 1
            failed = self.block(s.on_fail, fail_state)
            self.branch_depth -= 1
            return join(st, failed)
        if isinstance(s, Realloc):
            toks = st.get(s.var, frozenset({NULL}))
            if toks & {DANGLING, MOVED}:
                self._unsafe("realloc of", s.var, toks)
            self.tag(toks, "realloc-grown")
            failed = None
            if s.on_fail is not None:
                self.branch_depth += 1
                failed = self.block(s.on_fail, dict(st))
                self.branch_depth -= 1
            self._acquired(st, s.site, s.var, "realloc_self" if s.tmp is None else "realloc_tmp", frozenset({s.site}))
            return join(st, failed)
        if isinstance(s, NullCheck):
            toks = st.get(s.var, frozenset({NULL}))
            self.tag(toks, "null-checked")
            inside = dict(st)
            inside[s.var] = frozenset({NULL})
            self.branch_depth += 1
            taken = self.block(s.body, inside)
            self.branch_depth -= 1
            if toks - {NULL}:
                st[s.var] = toks - {NULL}
            return join(st, taken)
        if isinstance(s, Release):
            toks = st.get(s.lv, frozenset({NULL}))
            if toks & {DANGLING, MOVED}:
                self._unsafe("release of", s.lv, toks)
            if NULL in toks and not s.guard and s.cls in ("file", "fd"):
                self._unsafe("unguarded release of", s.lv, toks)
            self.tag(toks, f"released:{s.how}")
            for site in sites_in(toks):
                if self.branch_depth > self.site_depth.get(site, self.branch_depth):
                    self.tag({site}, "release-in-branch")
            if s.cls == "ctx":
                for f in ("name", "extra"):
                    fl = f"{s.lv}->{f}"
                    if f == "name" or self.prog.ctx_frees_extra:
                        self.tag(st.get(fl, frozenset()), "released:ctx_free")
                    st.pop(fl, None)
            if s.nullify or toks == {NULL}:
                st[s.lv] = frozenset({NULL})
            else:
                st[s.lv] = frozenset({DANGLING} | (toks & {NULL}))
            return st
        if isinstance(s, Use):
            toks = st.get(s.lv, frozenset({NULL}))
            if toks & {DANGLING, MOVED} or (NULL in toks and not s.guard):
                self._unsafe("use of", s.lv, toks)
            self.tag(toks, "used")
            return st
        if isinstance(s, Move):
            toks = st.get(s.src, frozenset({NULL}))
            if toks & {DANGLING, MOVED}:
                self._unsafe("hand-over of", s.src, toks)
            forgotten = s.dst.endswith("->extra") and not self.prog.ctx_frees_extra
            self.tag(toks, f"moved:{s.kind}" + ("(forgotten)" if forgotten else ""))
            if s.kind in ("field_local", "alias", "field_heap"):
                self.tag(st.get(s.dst, frozenset()), "overwritten")
                st[s.dst] = toks
            st[s.src] = frozenset({NULL}) if s.nullify_src or toks == {NULL} else frozenset({MOVED} | (toks & {NULL}))
            return st
        if isinstance(s, If):
            self.branch_depth += 1
            a = self.block(s.then, dict(st))
            b = self.block(s.els, dict(st)) if s.els is not None else st
            self.branch_depth -= 1
            return join(a, b)
        if isinstance(s, Loop):
            return self._loop(s, st)
        if isinstance(s, Return):
            ret = s.value if s.value in st else None
            if ret is not None:
                toks = st[ret]
                if toks & {DANGLING, MOVED}:
                    self._unsafe("return of", ret, toks)
                self.tag(toks, "moved:return")
            for lv in self.owned_lvs(st):
                if lv != ret:
                    self.tag(st[lv], "exit-owned:return")
            return None
        if isinstance(s, Goto):
            self.gotos.append(st)
            for lv in self.owned_lvs(st):
                self.tag(st[lv], "exit-owned:goto" if lv not in self.func.cleanup else "goto-cleanup")
            return None
        if isinstance(s, (Continue, Break)):
            if not self.loops:
                self.problems.append(f"{self.func.name}: {type(s).__name__} outside a loop")
                return None
            frame = self.loops[-1]
            self._drop_scopes_to(st, frame.scope_depth, "continue-owned" if isinstance(s, Continue) else "break-owned")
            (frame.continues if isinstance(s, Continue) else frame.breaks).append(st)
            return None
        if isinstance(s, Assign):
            return st
        if isinstance(s, CallWorker):
            if s.site is not None:
                self.tag({s.site}, "acq:ctxfill")
            if s.on_fail is None:
                return st
            self.branch_depth += 1
            failed = self.block(s.on_fail, dict(st))
            self.branch_depth -= 1
            return join(st, failed)
        raise TypeError(s)

    def _loop(self, s: Loop, st: State) -> State | None:
        head: State = st
        frame = _Loop(scope_depth=len(self.scopes))
        for _ in range(6):
            frame.continues.clear()
            frame.breaks.clear()
            self.loops.append(frame)
            self.branch_depth += 1
            out = self.block(s.body, dict(head))
            self.branch_depth -= 1
            self.loops.pop()
            nxt = head
            for c in [out, *frame.continues]:
                nxt = join(nxt, c)
            if nxt == head:
                break
            head = nxt
        exit_state: State | None = head
        for b in frame.breaks:
            exit_state = join(exit_state, b)
        return exit_state


def site_tags(prog: Program) -> dict[int, set[str]]:
    """Shape labels of every generated acquisition site of a finished program."""
    out: dict[int, set[str]] = {}
    for f in prog.funcs:
        eng = Engine(prog, f, tagging=True)
        eng.run_function()
        for site, tags in eng.tags.items():
            out.setdefault(site, set()).update(tags)
    return out


def signature(tags: set[str]) -> str:
    """`acquirer[shape,shape,...]`: the group a site's miss or false positive is counted under."""
    acq = sorted(t[4:] for t in tags if t.startswith("acq:")) or ["?"]
    rest = sorted(t for t in tags if not t.startswith("acq:") and t not in NOISE)
    return f"{'+'.join(acq)}[{','.join(rest)}]"
