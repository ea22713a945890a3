"""Structural behaviour of function bodies (no dataflow): releases, stores, returns of acquired resources."""
from __future__ import annotations

from collections.abc import Mapping

from analyzer import cfg, ir
from analyzer.analysis.summaries import RETURNS_DESTINATION
from analyzer.rules import RuleSet

from .names import ACQUIRE_VERBS, GETTER_WORDS, RELEASE_VERBS, name_parts

# C library functions that return their first argument
RETURNS_FIRST = RETURNS_DESTINATION


class Bodies:
    """Structural behaviour read from the IR of bodies in the scan (no dataflow): memoized, recursive.

    True: the body does it on some path; False: it never does; None: cannot tell (function pointers,
    functions without a body, recursion)."""

    def __init__(self, functions: Mapping[str, ir.Function], rules: RuleSet):
        self.functions = functions
        self.rules = rules
        self._rel: dict[tuple[str, int], bool | None] = {}
        self._store: dict[tuple[str, int], bool] = {}
        self._acq: dict[str, bool | None] = {}

    @staticmethod
    def _aliases(fn: ir.Function, seed: set[str]) -> set[str]:
        names = set(seed)
        changed = True
        while changed:
            changed = False
            for e in cfg.events(fn):
                if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and isinstance(e.src, ir.Var) \
                        and e.src.name in names and e.dst.name not in names:
                    names.add(e.dst.name)
                    changed = True
        return names

    def _releasing_call(self, e: ir.Call, j: int) -> bool | None:
        if e.callee in ("delete", "delete[]"):
            return True
        if not e.callee:
            # `sqlite3GlobalConfig.m.xFree(p)`, `free_fn(p)`: a function pointer named like a release, as a
            # function without a body would be
            field = e.callee_ref.rpartition("@")[2]
            return True if j == 0 and field and name_parts(field, RELEASE_VERBS) is not None else None
        if any(r.arg == j for r in self.rules.releases_for(e.callee)):
            return True
        if e.callee_usr in self.functions:
            # the body decides: `dictFreeUnlinkedEntry(d, he)` frees `he`, not the dict passed as context
            return self.releases_param(e.callee_usr, j)
        short = e.callee.rsplit("::", 1)[-1]
        if name_parts(short, RELEASE_VERBS) is not None and not self.rules.acquire_for(e.callee):
            return True
        if self.rules.borrows_args(e.callee) or self.rules.acquire_for(e.callee):
            return False
        return None

    def releases_param(self, usr: str, idx: int) -> bool | None:
        key = (usr, idx)
        if key in self._rel:
            return self._rel[key]
        self._rel[key] = None  # recursion: cannot tell
        fn = self.functions.get(usr)
        verdict: bool | None = None
        if fn is not None and idx < len(fn.params):
            names = self._aliases(fn, {fn.params[idx].name})
            verdict = False
            for e in cfg.events(fn):
                if not isinstance(e, ir.Call):
                    continue
                for j, a in enumerate(e.args):
                    if isinstance(a, ir.Var) and a.name in names:
                        v = self._releasing_call(e, j)
                        if v:
                            self._rel[key] = True
                            return True
                        if v is None:
                            verdict = None
        self._rel[key] = verdict
        return verdict

    def stores_param(self, usr: str, idx: int) -> bool:
        """The body keeps parameter `idx`: stores it in a field, a global, an element or through a pointer,
        copies its value out with memcpy, or hands it to a function that keeps it (recursively)."""
        key = (usr, idx)
        if key not in self._store:
            self._store[key] = False  # recursion
            fn = self.functions.get(usr)
            self._store[key] = fn is not None and idx < len(fn.params) and \
                self.keeper(fn, self._aliases(fn, {fn.params[idx].name})) is not None
        return self._store[key]

    def keeper(self, fn: ir.Function, names: set[str]) -> str | None:
        """How `fn` keeps a value held in `names` beyond the call ('a store' or a callee); None if it never does."""
        for e in cfg.events(fn):
            if isinstance(e, ir.Assign) and not isinstance(e.dst, ir.Var) and isinstance(e.src, ir.Var) \
                    and e.src.name in names:
                root = ir.root_var(e.dst)
                if root is None or root.name not in names:  # `o->self = o` keeps nothing
                    return "a store"
            if not isinstance(e, ir.Call):
                continue
            for j, a in enumerate(e.args):
                if isinstance(a, ir.AddrOf) and isinstance(a.base, ir.Var) and a.base.name in names \
                        and e.callee.rsplit("::", 1)[-1] in ("memcpy", "memmove"):
                    return e.callee
                if isinstance(a, ir.Var) and a.name in names and e.callee_usr in self.functions \
                        and self.stores_param(e.callee_usr, j) and not self._self_store(e, j, names):
                    return e.callee
        return None

    def _self_store(self, e: ir.Call, j: int, names: set[str]) -> bool:
        """The callee stores argument j only into what other arguments point to, and those are parts of the same
        object: `uv_signal_init(loop, &loop->child_watcher)` sets `handle->loop = loop`, a back-pointer."""
        fn = self.functions.get(e.callee_usr)
        if fn is None:
            return False
        mine = self._aliases(fn, {fn.params[j].name})
        params = {p.name: k for k, p in enumerate(fn.params)}
        targets: set[int] = set()
        for ev in cfg.events(fn):
            if isinstance(ev, ir.Assign) and not isinstance(ev.dst, ir.Var) and isinstance(ev.src, ir.Var) \
                    and ev.src.name in mine:
                root = ir.root_var(ev.dst)
                if root is None or root.name not in params:
                    return False
                targets.add(params[root.name])
            elif isinstance(ev, ir.Call) and any(
                    isinstance(a, ir.Var) and a.name in mine and ev.callee_usr in self.functions
                    and self.stores_param(ev.callee_usr, i) for i, a in enumerate(ev.args)):
                return False  # handed to a keeper: not only a back-pointer
        return bool(targets) and all(
            k < len(e.args) and (r := ir.root_var(e.args[k])) is not None and r.name in names for k in targets)

    def publishes(self, usr: str) -> str | None:
        """The callee or store through which an acquirer hands its new object elsewhere before returning it:
        `raxInsert(s->cgroups, name, len, cg, NULL); return cg;` registers cg, its callers do not own it."""
        fn = self.functions.get(usr)
        if fn is None:
            return None
        returned = {e.value.name for e in cfg.events(fn)
                    if isinstance(e, ir.Return) and isinstance(e.value, ir.Var)}
        for e in cfg.events(fn):
            if isinstance(e, ir.Call) and e.result is not None and self._acquiring_call(e):
                names = self._aliases(fn, {e.result.name})
                if names & returned and (keeper := self.keeper(fn, names)) is not None:
                    return keeper
        return None

    def returns_acquired(self, usr: str) -> bool | None:
        if usr in self._acq:
            return self._acq[usr]
        self._acq[usr] = None
        fn = self.functions.get(usr)
        if fn is None:
            return None
        acquired: set[str] = set()
        unknown: set[str] = set()
        for e in cfg.events(fn):
            if isinstance(e, ir.Call) and e.result is not None:
                v = self._acquiring_call(e)
                (acquired if v else unknown if v is None else set()).add(e.result.name)
        acquired = self._aliases(fn, acquired)
        # `return memcpy(m, s, len);` returns m
        acquired |= {e.result.name for e in cfg.events(fn) if isinstance(e, ir.Call) and e.result is not None
                     and e.callee in RETURNS_FIRST and e.args and isinstance(e.args[0], ir.Var)
                     and e.args[0].name in acquired}
        unknown = self._aliases(fn, unknown) - acquired
        verdict: bool | None = False
        for e in cfg.events(fn):
            if isinstance(e, ir.Return) and isinstance(e.value, ir.Var):
                if e.value.name in acquired:
                    self._acq[usr] = True
                    return True
                if e.value.name in unknown:
                    verdict = None
        self._acq[usr] = verdict
        return verdict

    def _acquiring_call(self, e: ir.Call) -> bool | None:
        if e.callee in ("new", "new[]") or self.rules.acquire_for(e.callee) or self.rules.realloc_for(e.callee):
            return True
        if not e.callee:
            return None
        short = e.callee.rsplit("::", 1)[-1]
        parts = name_parts(short, ACQUIRE_VERBS)
        if parts is not None and not GETTER_WORDS & set(parts.before + parts.after):
            return True
        if e.callee_usr in self.functions:
            return self.returns_acquired(e.callee_usr)
        return False if self.rules.borrows_args(e.callee) or self.rules.releases_for(e.callee) else None
