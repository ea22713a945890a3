"""Inferred create/destroy pairs: names (shared stem + verb pair) bound by types, weighed by behaviour."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import ir
from .attributes import apply_attribute_rules, attributes_of, holds_functions
from .rules import Acquire, Release, RuleSet
from .summaries import FunctionSummary

if TYPE_CHECKING:
    from .pipeline import Program

# Acquire verb -> {release verb: strength}. 1.0 are the canonical pairs of the issue; lower ones are
# plausible but seen less often as a pair. Verbs not listed (get/find/lookup/begin/end/...) never pair.
VERB_PAIRS: dict[str, dict[str, float]] = {
    "create": {"destroy": 1, "del": 1, "delete": 1, "free": 1, "release": .8, "dispose": .8, "unref": .8,
               "cleanup": .6, "close": .6},
    "new": {"free": 1, "delete": 1, "del": 1, "destroy": 1, "release": .8, "unref": .8, "dispose": .8},
    "alloc": {"free": 1, "dealloc": 1, "release": .8, "destroy": .8, "del": .8, "delete": .8},
    "malloc": {"free": 1}, "calloc": {"free": 1}, "strdup": {"free": 1},
    "dup": {"free": 1, "release": .8, "destroy": .8, "del": .8, "delete": .8, "unref": .8},
    "clone": {"free": .8, "destroy": .8, "delete": .8, "release": .8, "del": .8},
    "copy": {"free": .6, "destroy": .6, "delete": .6, "release": .6},
    "open": {"close": 1, "release": .6, "free": .6},
    "init": {"fini": 1, "deinit": 1, "uninit": 1, "destroy": .8, "cleanup": .8, "free": .8, "term": .8,
             "finalize": .8, "release": .6},
    "load": {"unload": 1, "del": 1, "free": .8, "destroy": .8, "release": .8, "delete": .8},
    "acquire": {"release": 1},
    "ref": {"unref": 1},
    "make": {"free": .8, "destroy": .8, "delete": .8},
    "connect": {"disconnect": 1, "close": .8, "free": .6},
    "construct": {"destruct": 1, "destroy": .8},
}
ACQUIRE_VERBS = sorted(VERB_PAIRS, key=len, reverse=True)
RELEASE_VERBS = sorted({r for rels in VERB_PAIRS.values() for r in rels}, key=len, reverse=True)
# Words that make a pointer-returning function a getter of a borrowed pointer.
GETTER_WORDS = frozenset({"get", "find", "lookup", "peek", "borrow", "current", "search", "begin", "end", "first",
                          "last", "next", "prev", "front", "back", "top", "default", "iter", "at"})
# Words meaning that a function taking T* may keep it: never inferred as a borrower.
TRANSFER_WORDS = frozenset({"set", "attach", "push", "add", "insert", "put", "give", "take", "adopt", "own", "move",
                            "register", "append", "prepend", "store", "steal", "transfer", "enqueue", "emplace",
                            "assign", "reset", "replace", "swap", "detach", "retain", "hold", "keep", "track",
                            "link", "bind", "queue", "submit", "post", "send", "cache", "install", "save"})
GENERIC_BASES = frozenset({"void", "char", "signed char", "unsigned char"})
HIGH, MEDIUM = 0.8, 0.6
_NEGATIONS = frozenset({"un", "de", "re", "dis", "pre", "non"})  # 'unref' is no 'ref', 'reload' no 'load'
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass(frozen=True, slots=True)
class NameParts:
    before: tuple[str, ...]  # lower-case words before the verb (the stem)
    verb: str
    after: tuple[str, ...]
    prefix: str  # the stem as spelled in the name ('dm_pack', 'list', 'sds')


@dataclass(frozen=True, slots=True)
class Pair:
    """One inferred acquirer/releaser pair with its confidence and the evidence for it."""
    kind: str
    acquirer: str
    releaser: str
    score: float
    evidence: tuple[str, ...]
    out_arg: int | None = None  # acquirer writes the resource through this parameter (0-based)
    release_arg: int = 0
    type: str = ""  # the pointee type binding the two ('dm_pack', 'void')
    file: str = ""
    line: int = 0

    @property
    def confidence(self) -> str:
        return "high" if self.score >= HIGH else "medium" if self.score >= MEDIUM else "low"

    @property
    def source(self) -> str:
        return f"inferred:{self.acquirer}/{self.releaser}"

    def as_dict(self) -> dict[str, Any]:
        return {"acquirer": self.acquirer, "releaser": self.releaser, "kind": self.kind,
                "confidence": self.confidence, "score": round(self.score, 2), "evidence": list(self.evidence),
                "out_arg": self.out_arg, "release_arg": self.release_arg, "type": self.type,
                "file": self.file, "line": self.line}


@dataclass
class Inference:
    pairs: list[Pair] = field(default_factory=list)
    borrowers: dict[str, str] = field(default_factory=dict)  # function -> kind it borrows
    # acquirers whose body keeps one of their arguments: an acquire rule would make callers keep
    # tracking what they passed (rules borrow every argument), so their summary speaks for them
    summarized: set[str] = field(default_factory=set)

    def confident(self) -> list[Pair]:
        return [p for p in self.pairs if p.score >= MEDIUM]


# ---- names -----------------------------------------------------------------------------------

def split_words(name: str) -> list[tuple[str, int, int]]:
    """Words of an identifier with their spans: snake_case, camelCase and ALLCAPS_Mixed."""
    out = []
    for m in re.finditer(r"[^_]+", name):
        for w in _CAMEL.finditer(m.group()):
            out.append((w.group().lower(), m.start() + w.start(), m.start() + w.end()))
    return out


def name_parts(name: str, verbs: list[str]) -> NameParts | None:
    """Split `name` around its first verb word, or a verb glued to the end of the last word ('sdsnew')."""
    words = split_words(name)
    for i, (w, start, _) in enumerate(words):
        if w in verbs:
            return NameParts(tuple(x[0] for x in words[:i]), w, tuple(x[0] for x in words[i + 1:]),
                             name[:start].rstrip("_"))
    if words:
        w, _, end = words[-1]
        for verb in verbs:
            if w.endswith(verb) and len(w) > len(verb) and w[:-len(verb)] not in _NEGATIONS:
                head = w[:-len(verb)]
                return NameParts((*(x[0] for x in words[:-1]), head), verb, (),
                                 name[:end - len(verb)].rstrip("_"))
    return None


def _namespace(qualname: str) -> str:
    return qualname.rpartition("::")[0]


_METHOD_USR = re.compile(r"@(S|U|ST|SP|CT|C)[@>].*@F@")


def is_method(decl: ir.FuncDecl) -> bool:
    return bool(_METHOD_USR.search(decl.usr)) or decl.name.startswith("~")


# ---- types -----------------------------------------------------------------------------------

_QUALIFIERS = re.compile(r"\b(const|volatile|restrict|__restrict|__restrict__)\b")


def pointer(ctype: str) -> tuple[str, int]:
    """'const struct dm_pack *' -> ('dm_pack', 1); 'struct trie **' -> ('trie', 2); non-pointers -> (type, 0)."""
    t = " ".join(_QUALIFIERS.sub(" ", ctype).split())
    if "(" in t or "[" in t:
        return "", 0
    depth = 0
    while t.endswith("*"):
        depth += 1
        t = t[:-1].rstrip()
    return re.sub(r"^(struct|class|union|enum)\s+", "", t), depth


def _bind(acq_base: str, rel_base: str) -> tuple[str, float] | None:
    """How a resource of pointee acq_base binds to a releaser parameter of pointee rel_base."""
    if acq_base == rel_base and acq_base not in GENERIC_BASES:
        return "specific", .35
    if acq_base not in GENERIC_BASES and rel_base == "void":
        return "void-releaser", .15
    if acq_base in GENERIC_BASES and rel_base in GENERIC_BASES and (acq_base == rel_base or "void" in (acq_base,
                                                                                                          rel_base)):
        return "generic", .1
    return None


@dataclass(frozen=True, slots=True)
class _Acq:
    decl: ir.FuncDecl
    parts: NameParts
    base: str
    out_arg: int | None


@dataclass(frozen=True, slots=True)
class _Rel:
    decl: ir.FuncDecl
    parts: NameParts
    params: tuple[tuple[str, int], ...]


def _acquirer(decl: ir.FuncDecl) -> list[_Acq]:
    parts = name_parts(decl.name, ACQUIRE_VERBS)
    if parts is None:
        return []
    base, depth = pointer(decl.return_type)
    if depth == 1:
        return [_Acq(decl, parts, base, None)]
    if depth == 0:
        outs = []
        for i, t in enumerate(decl.param_types):
            b, d = pointer(t)
            if d == 2:
                outs.append(_Acq(decl, parts, b, i))
        return outs
    return []


def _releaser(decl: ir.FuncDecl) -> _Rel | None:
    parts = name_parts(decl.name, RELEASE_VERBS)
    if parts is None:
        return None
    params = tuple(pointer(t) for t in decl.param_types)
    if not any(d == 1 for _, d in params):
        return None
    return _Rel(decl, parts, params)


def _stem(words: tuple[str, ...]) -> tuple[str, ...]:
    # 'node_find_or_create' has the stem of 'node_free': getter words are weighed, not matched
    return tuple(w for w in words if w not in GETTER_WORDS and w not in ("or", "and"))


def _stems_match(a: NameParts, r: NameParts) -> bool:
    if a.before:
        return _stem(a.before) == r.before and (not r.after or r.after == a.after)
    return not r.before and bool(a.after) and a.after == r.after


def _glued(x: _Acq | _Rel) -> bool:
    """'sdsfree' (verb glued to the stem) versus 'sds_free' / 'sdsFree'."""
    prefix = x.parts.prefix
    name = x.decl.name
    return bool(prefix) and len(name) > len(prefix) and name[len(prefix)].islower()


def _kind_name(acq: _Acq) -> str:
    if acq.base and acq.base not in GENERIC_BASES:
        return acq.base
    stem = acq.parts.prefix
    return stem if len(stem) >= 3 else acq.decl.qualname


# ---- inference -------------------------------------------------------------------------------

def _candidates(decls: Iterable[ir.FuncDecl], rules: RuleSet) -> list[ir.FuncDecl]:
    seen: dict[str, ir.FuncDecl] = {}
    for d in sorted(decls, key=lambda d: (not d.in_project, d.qualname, d.usr)):
        q = d.qualname
        if q in seen or not d.name or d.noreturn or is_method(d) or d.name.startswith(("_", "operator")):
            continue
        if q.startswith("std::") or rules.acquire_for(q) or rules.releases_for(q) or rules.realloc_for(q) \
                or rules.borrows_args(q):
            continue
        seen[q] = d
    return list(seen.values())


class _Bodies:
    """Structural behaviour read from the IR of bodies in the scan (no dataflow): memoized, recursive.

    True: the body does it on some path; False: it never does; None: cannot tell (function pointers,
    functions without a body, recursion)."""

    def __init__(self, functions: dict[str, ir.Function], rules: RuleSet):
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
            for b in fn.blocks:
                for e in b.events:
                    if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and isinstance(e.src, ir.Var) \
                            and e.src.name in names and e.dst.name not in names:
                        names.add(e.dst.name)
                        changed = True
        return names

    def _releasing_call(self, e: ir.Call, j: int) -> bool | None:
        if e.callee in ("delete", "delete[]"):
            return True
        if not e.callee:
            return None
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
            for b in fn.blocks:
                for e in b.events:
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
        for b in fn.blocks:
            for e in b.events:
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
                            and self.stores_param(e.callee_usr, j):
                        return e.callee
        return None

    def publishes(self, usr: str) -> str | None:
        """The callee or store through which an acquirer hands its new object elsewhere before returning it:
        `raxInsert(s->cgroups, name, len, cg, NULL); return cg;` registers cg, its callers do not own it."""
        fn = self.functions.get(usr)
        if fn is None:
            return None
        returned = {e.value.name for b in fn.blocks for e in b.events
                    if isinstance(e, ir.Return) and isinstance(e.value, ir.Var)}
        for b in fn.blocks:
            for e in b.events:
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
        for b in fn.blocks:
            for e in b.events:
                if isinstance(e, ir.Call) and e.result is not None:
                    v = self._acquiring_call(e)
                    (acquired if v else unknown if v is None else set()).add(e.result.name)
        acquired = self._aliases(fn, acquired)
        unknown = self._aliases(fn, unknown)
        verdict: bool | None = False
        for b in fn.blocks:
            for e in b.events:
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


def _behaviour(acq: _Acq, rel_decl: ir.FuncDecl, rel_arg: int, summaries: dict[str, FunctionSummary],
               bodies: _Bodies) -> tuple[float, float, list[str], bool]:
    """(score delta, score cap, evidence, acquirer behaves as an acquirer) from summaries and bodies."""
    delta, cap, evidence, owned = 0.0, 1.0, [], False
    name = acq.decl.qualname
    s = summaries.get(acq.decl.usr)
    if s is not None and (s.returns_owned if acq.out_arg is None else any(i == acq.out_arg for i, _ in s.acquires_out)):
        what = s.returns_owned or dict(s.acquires_out).get(acq.out_arg or 0, "")
        via = f" from {s.returns_acquirer}()" if s.returns_acquirer else ""
        evidence.append(f"behaviour: {name}() returns an owned {what}{via}")
        delta, owned = .1, True
    if acq.out_arg is None and (keeper := bodies.publishes(acq.decl.usr)) is not None:
        evidence.append(f"behaviour: {name}() hands the new object to {keeper} before returning it: "
                        "callers do not own it")
        cap, owned = min(cap, .5), False
    elif s is not None and owned:
        pass
    elif acq.out_arg is None:
        v = bodies.returns_acquired(acq.decl.usr)
        if v:
            evidence.append(f"behaviour: {name}() returns what an acquiring call returned")
            delta, owned = .05, True
        elif v is False:
            evidence.append(f"behaviour: the body of {name}() never returns an acquired resource")
            cap = min(cap, .5)
    r = summaries.get(rel_decl.usr)
    if r is not None and any(i == rel_arg for i, _ in r.releases_args):
        evidence.append(f"behaviour: {rel_decl.qualname}() releases argument {rel_arg + 1} on every path")
        delta += .1
    else:
        v = bodies.releases_param(rel_decl.usr, rel_arg)
        if v:
            evidence.append(f"behaviour: {rel_decl.qualname}() releases argument {rel_arg + 1}")
            delta += .05
        elif v is False:
            evidence.append(f"behaviour: the body of {rel_decl.qualname}() never releases argument {rel_arg + 1}")
            cap = min(cap, .5)
    return delta, cap, evidence, owned


def infer_pairs(decls: Iterable[ir.FuncDecl], rules: RuleSet, summaries: dict[str, FunctionSummary] | None = None,
                functions: dict[str, ir.Function] | None = None) -> list[Pair]:
    """Every acquirer/releaser pair the declarations support, best first; filter by `Pair.confidence`.

    Parameters
    ----------
    decls : function declarations of the program (a header without bodies is enough)
    rules : functions already defined by rules, cppcheck files or attributes are left alone
    summaries : callee summaries by USR, when the bodies were analyzed (behaviour evidence)
    functions : the bodies in the scan by USR (structural behaviour evidence)
    """
    summaries = summaries or {}
    bodies = _Bodies(functions or {}, rules)
    cands = _candidates(decls, rules)
    acqs = [a for d in cands for a in _acquirer(d)]
    rels = [r for d in cands if (r := _releaser(d)) is not None]
    by_ns: dict[str, list[_Rel]] = defaultdict(list)
    for r in rels:
        by_ns[_namespace(r.decl.qualname)].append(r)
    pairs: list[Pair] = []
    for a in acqs:
        malloc_attr = any(x.what == "malloc" for x in attributes_of(a.decl))
        getter = bool(GETTER_WORDS & set(a.parts.before + a.parts.after))
        for r in by_ns.get(_namespace(a.decl.qualname), []):
            if r.decl.qualname == a.decl.qualname or not _stems_match(a.parts, r.parts):
                continue
            strength = VERB_PAIRS[a.parts.verb].get(r.parts.verb)
            if not strength:
                continue
            if not (a.parts.before or a.parts.after) and not (r.parts.before or r.parts.after):
                continue
            bound = None
            for i, (base, depth) in enumerate(r.params):
                if depth == 1 and (b := _bind(a.base, base)) is not None and (bound is None or b[1] > bound[1]):
                    bound = (b[0], b[1], i)
            if bound is None:
                continue
            how, tscore, arg = bound
            ambiguous = False
            if how != "specific" and (a.parts.after != r.parts.after or _glued(a) != _glued(r)):
                continue  # `RM_CreateString` / `RM_Free(void *)`: a generic free must match the whole name
            if a.out_arg is not None and how != "specific":
                continue  # `void **` out-parameters are buffers more often than handles
            if a.out_arg is not None:
                tscore -= .05
            stem = " + ".join(x for x in (a.parts.prefix, "_".join(a.parts.after)) if x)
            evidence = [f"names: {a.decl.name} / {r.decl.name} share '{stem}', verbs {a.parts.verb}/{r.parts.verb}"]
            tname = a.base + " *"
            if a.out_arg is not None:
                evidence.append(f"types: {a.decl.name}() writes {tname} through out-parameter {a.out_arg + 1}; "
                                f"{r.decl.name}() takes {r.params[arg][0]} * (argument {arg + 1})")
            else:
                evidence.append(f"types: {a.decl.name}() returns {tname}; {r.decl.name}() takes "
                                f"{r.params[arg][0]} * (argument {arg + 1}){'' if how == 'specific' else f' [{how}]'}")
            score = .35 * strength + tscore
            if a.decl.loc.file and a.decl.loc.file == r.decl.loc.file:
                score += .1
                evidence.append(f"declared in the same file {os.path.basename(a.decl.loc.file)}")
            if len(r.params) == 1:
                score += .05
            elif arg < len(r.params) - 1:
                # `dict_delete(d, key)` removes an element; `g_string_free(s, keep)` is rarer
                ambiguous = r.parts.verb in ("del", "delete", "release")
                score -= .35 if ambiguous else .15
                evidence.append(f"{r.decl.name}() takes more arguments after it"
                                + (": may remove an element rather than destroy" if ambiguous else ""))
            if not a.parts.after or not a.parts.before:
                score += .05
            if a.decl.in_project and r.decl.in_project:
                score += .05
            if malloc_attr:
                score += .1
                evidence.append(f"{a.decl.name}() is declared __attribute__((malloc))")
            delta, cap, bev, owned = _behaviour(a, r.decl, arg, summaries, bodies)
            if ambiguous:
                if any(e.startswith(f"behaviour: {r.decl.qualname}() releases") and e.endswith("on every path")
                       for e in bev):
                    score += .35  # the summary settles it: a destructor with extra arguments
                else:
                    cap = min(cap, .55)  # only behaviour tells an element removal from a destructor
            score = min(score + delta, cap)
            evidence += bev
            if getter and not owned:
                continue
            if getter:
                evidence.append("getter-like name, but behaviour shows an owned result")
            pairs.append(Pair(_kind_name(a), a.decl.qualname, r.decl.qualname, round(min(score, 1.0), 3),
                              tuple(evidence), a.out_arg, arg, a.base, a.decl.loc.file, a.decl.loc.line))
    pairs.sort(key=lambda p: (-p.score, p.kind, p.acquirer, p.releaser))
    return _unify_kinds(pairs)


_VERB_RANK = {v: i for i, v in enumerate(("malloc", "alloc", "calloc", "new", "create", "open", "init", "load",
                                          "acquire", "make", "connect", "construct", "dup", "strdup", "clone",
                                          "copy", "ref"))}


def _unify_kinds(pairs: list[Pair]) -> list[Pair]:
    """One kind per group of confident pairs sharing a releaser: zmalloc, zcalloc and zstrdup are all zfree's.

    A release rule per (function, argument) and kind would release the same pointer once per kind."""
    parent: dict[tuple, tuple] = {}

    def find(x: tuple) -> tuple:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    confident = [p for p in pairs if p.score >= MEDIUM]
    for p in confident:
        parent[find(("a", p.acquirer))] = find(("r", p.releaser, p.release_arg))
    groups: dict[tuple, list[Pair]] = defaultdict(list)
    for p in confident:
        groups[find(("a", p.acquirer))].append(p)
    kind_of: dict[str, str] = {}
    for ps in groups.values():
        types = Counter(p.type for p in ps if p.type and p.type not in GENERIC_BASES)
        stems = Counter(p.kind for p in ps if p.kind != p.acquirer)
        if types:
            kind = sorted(types, key=lambda t: (-types[t], t))[0]
        elif stems:
            kind = sorted(stems, key=lambda k: (-stems[k], k))[0]
        else:
            def rank(a: str) -> tuple:
                parts = name_parts(a.rpartition("::")[2], ACQUIRE_VERBS)
                return (_VERB_RANK.get(parts.verb if parts else "", 99), a)
            kind = min((p.acquirer for p in ps), key=rank)
        for p in ps:
            kind_of[p.acquirer] = kind
    return [dataclasses.replace(p, kind=kind_of[p.acquirer]) if kind_of.get(p.acquirer, p.kind) != p.kind else p
            for p in pairs]


def infer_borrowers(decls: Iterable[ir.FuncDecl], pairs: list[Pair], rules: RuleSet, with_body: Iterable[str] = (),
                    holds: Iterable[str] = ()) -> dict[str, str]:
    """Body-less functions of a paired library that take the paired T* and only use it.

    A call to a function without a body normally ends tracking (it may take ownership). For a
    high-confidence pair of a specific type, a function of the same library (same first name word or
    same header) taking that T*, that is neither acquirer nor releaser and whose name carries no
    ownership-transfer verb, borrows it: `dm_search(dict, text, len, pack)` keeps `pack` owned.
    """
    bodies = set(with_body)
    roles = {p.acquirer for p in pairs} | {p.releaser for p in pairs}
    libs: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        if p.score >= HIGH and p.type and p.type not in GENERIC_BASES:
            libs[p.type].append(p)
    if not libs:
        return {}
    files = {t: {q.file for q in ps} for t, ps in libs.items()}
    first = {t: {split_words(q.acquirer.rpartition("::")[2])[0][0] for q in ps} for t, ps in libs.items()}
    out: dict[str, str] = {}
    for d in sorted(decls, key=lambda d: d.qualname):
        q = d.qualname
        if q in out or q in roles or q in holds or d.has_body or d.usr in bodies or is_method(d) \
                or d.name.startswith(("_", "operator")) or d.noreturn:
            continue
        if rules.acquire_for(q) or rules.releases_for(q) or rules.realloc_for(q) or rules.borrows_args(q):
            continue
        words = split_words(d.name)
        names = {w for w, _, _ in words}
        if names & TRANSFER_WORDS or names & set(RELEASE_VERBS) or name_parts(d.name, RELEASE_VERBS):
            continue
        if any(pointer(t)[1] >= 2 for t in d.param_types):
            continue
        for t, ps in sorted(libs.items()):
            if not any(pointer(pt) == (t, 1) for pt in d.param_types):
                continue
            if (words and words[0][0] in first[t]) or d.loc.file in files[t]:
                out[q] = ps[0].kind
                break
    return out


def apply_pairs(inference: Inference, rules: RuleSet) -> None:
    """Add the confident pairs (and borrowers) to `rules`.

    The inferred kinds are not registered in `rules.kinds`: a guessed kind must not make a
    library's own cleanup (`p = calloc(..); ...; dm_pack_del(p)` inside `dm_pack_create`) a
    mismatched release against the builtin kinds. Missing kinds get the default NULL-invalid
    convention, right for the pointer handles pairs are inferred for.
    """
    for p in inference.confident():
        acq = rules.acquire_for(p.acquirer)
        if acq is None and p.acquirer not in inference.summarized:
            acq = Acquire(p.acquirer, p.kind, p.out_arg, p.source)
            rules.add_acquire(acq)
        if acq is None or acq.kind == p.kind:
            rules.add_release(Release(p.releaser, p.kind, p.release_arg, p.source))
    rules.borrows.update(inference.borrowers)


def infer(prog: Program, rules: RuleSet, summaries: dict[str, FunctionSummary] | None = None) -> Inference:
    decls = list(prog.decls.values())
    pairs = infer_pairs(decls, rules, summaries, prog.functions)
    confident = [p for p in pairs if p.score >= MEDIUM]
    borrowers = infer_borrowers(decls, confident, rules, prog.functions, holds_functions(decls))
    bodies = _Bodies(prog.functions, rules)
    by_name = {d.qualname: d for d in decls}
    summarized = set()
    for p in confident:
        d = by_name.get(p.acquirer)
        if d is not None and d.usr in prog.functions and any(
                i != p.out_arg and pointer(t)[1] >= 1 and bodies.stores_param(d.usr, i)
                for i, t in enumerate(d.param_types)):
            summarized.add(p.acquirer)
    return Inference(pairs, borrowers, summarized)


def apply_inferred_pairs(prog: Program, rules: RuleSet) -> list[dict]:
    """The scan's hook: attribute rules, then confident name+type pairs into `rules`; returns the applied pairs."""
    apply_attribute_rules(prog.decls.values(), rules)
    inference = infer(prog, rules)
    apply_pairs(inference, rules)
    return [p.as_dict() for p in inference.confident()]


# ---- `leakscan pairs` ------------------------------------------------------------------------

def render_text(inference: Inference, show_all: bool) -> str:
    lines = []
    shown = inference.pairs if show_all else inference.confident()
    for p in shown:
        out = f", out-parameter {p.out_arg + 1}" if p.out_arg is not None else ""
        lines.append(f"{p.confidence:<6} {p.score:4.2f}  {p.kind}: {p.acquirer}(){out} -> {p.releaser}() "
                     f"argument {p.release_arg + 1}")
        lines.extend(f"    {e}" for e in p.evidence)
    if inference.borrowers:
        lines.append("borrowers (functions without a body that only use a paired resource):")
        lines.extend(f"    {f}() borrows {k}" for f, k in sorted(inference.borrowers.items()))
    counts = {c: sum(1 for p in inference.pairs if p.confidence == c) for c in ("high", "medium", "low")}
    hidden = "" if show_all or not counts["low"] else " (low ones hidden: --all shows them)"
    lines.append(f"leakscan: {len(inference.pairs)} pair(s): {counts['high']} high, {counts['medium']} medium, "
                 f"{counts['low']} low{hidden}; {len(inference.borrowers)} borrower(s)")
    return "\n".join(lines) + "\n"


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def render_toml(inference: Inference, show_all: bool = False) -> str:
    """A rules file (rules/*.toml schema) a user can review, edit and commit; low pairs only as comments."""
    out = ["# Resource pairs inferred by `leakscan pairs`: review, edit, then pass with --rules FILE.", ""]
    by_kind: dict[str, list[Pair]] = defaultdict(list)
    for p in inference.pairs:
        by_kind[p.kind].append(p)
    for kind in sorted(by_kind, key=lambda k: (-max(p.score for p in by_kind[k]), k)):
        ps = by_kind[kind]
        good = [p for p in ps if p.score >= MEDIUM]
        if not good and not show_all:
            continue
        prefix = "" if good else "# "
        for p in ps:
            out.append(f"# {p.acquirer} -> {p.releaser}: {p.confidence} ({p.score:.2f})")
            out.extend(f"#   {e}" for e in p.evidence)
        use = good or ps
        acquires: dict[str, int | None] = {}
        releases: dict[tuple[str, int], None] = {}
        for p in use:
            acquires.setdefault(p.acquirer, p.out_arg)
            releases.setdefault((p.releaser, p.release_arg), None)
        acq = [_toml_str(a) if o is None else f"{{ function = {_toml_str(a)}, out_arg = {o} }}"
               for a, o in acquires.items()]
        rel = [_toml_str(r) if i == 0 else f"{{ function = {_toml_str(r)}, arg = {i} }}" for r, i in releases]
        out += [f"{prefix}[[resource]]", f"{prefix}kind = {_toml_str(kind)}",
                f"{prefix}description = {_toml_str('inferred: ' + ', '.join(sorted({p.source[9:] for p in use})))}",
                f'{prefix}invalid = "null"', f"{prefix}acquire = [{', '.join(acq)}]",
                f"{prefix}release = [{', '.join(rel)}]", ""]
    if inference.borrowers:
        out.append("# functions without a body that only use a paired resource")
        out += ["[borrow]", "functions = [" + ", ".join(_toml_str(f) for f in sorted(inference.borrowers)) + "]", ""]
    return "\n".join(out)


def pairs_command(options: Any, args: Any) -> int:
    """`leakscan pairs PATH... [-p BUILD_DIR] [--write-rules FILE] [--all]`: 0 listed, 2 bad input, 3 a TU failed."""
    from .cppcheck_cfg import load_cppcheck_cfg
    from .pipeline import InputError, analyze_program, collect_jobs, lower_all, merge_modules
    from .rules import RuleError, load_rules
    try:
        rules = load_rules(list(options.rule_files))
        for path in options.cppcheck_cfgs:
            load_cppcheck_cfg(path, rules)
        jobs = collect_jobs(options)
        if not jobs:
            raise InputError(f"{(options.paths or (options.compile_commands or '.',))[0]}: "
                             "no C or C++ source files found")
    except (RuleError, InputError) as exc:
        print(f"leakscan: {exc}", file=sys.stderr)
        return 2
    workers = options.jobs or os.cpu_count() or 1
    modules = lower_all(jobs, min(workers, len(jobs)))
    prog = merge_modules(modules)
    apply_attribute_rules(prog.decls.values(), rules)
    # behaviour evidence: summaries of the bodies under the configured rules only
    _, resolver = analyze_program(prog, rules, True)
    inference = infer(prog, rules, resolver.summaries)
    show_all = bool(getattr(args, "all", False))
    sys.stdout.write(render_text(inference, show_all))
    target = getattr(args, "write_rules", None)
    if target:
        from .cli import write_atomic
        write_atomic(target, render_toml(inference, show_all))
    return 3 if any(m.failed for m in modules) else 0
