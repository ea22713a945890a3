"""Behaviour-based pairs: every function whose body returns (or writes out) a fresh `T *` is an acquirer of `T`,
paired with the functions whose bodies release a `T *` on every path (or drop a reference and free at zero).
Typedef-aware: `sds` is `char *` to the compiler but its own type here. Names only rank and explain."""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer import ir

from .handles import HandlePair
from .names import ACQUIRE_VERBS, GETTER_WORDS, RELEASE_VERBS, split_words
from .roles import Roles
from .scoring import CAPS, WEIGHTS, Evidence, EvidenceKind
from .types import GENERIC_BASES, pointer

TypeKey = tuple[str, int]  # (pointee base, pointer depth): ('sds', 1), ('index', 1), ('char', 2)


def typed(decl: ir.FuncDecl, slot: int) -> TypeKey:
    """The type of the return value (slot -1) or of parameter `slot`, a `char *` typedef standing for itself."""
    alias = decl.aliases[slot + 1] if slot + 1 < len(decl.aliases) else ""
    if alias:
        base, _, stars = alias.partition(" ")
        return base, 1 + stars.count("*")
    ctype = decl.return_type if slot < 0 else decl.param_types[slot] if slot < len(decl.param_types) else ""
    return pointer(ctype)


def usable(key: TypeKey) -> bool:
    """A type that can stand for a resource: not `void *`/`char *`; `char **` (an array of strings) is."""
    base, depth = key
    return bool(base) and depth >= 1 and not (depth == 1 and base in GENERIC_BASES)


@dataclass(frozen=True, slots=True)
class Role:
    decl: ir.FuncDecl
    slot: int  # acquirer: -1 (returns it) or the out-parameter; releaser: the released parameter
    key: TypeKey
    how: str  # 'returns a fresh', 'writes a fresh ... through', 'takes a reference to', 'releases'


def acquirer_roles(decls: Iterable[ir.FuncDecl], roles: Roles) -> list[Role]:
    out = []
    for d in decls:
        if not d.in_project or d.usr not in roles.functions:
            continue
        key = typed(d, -1)
        if usable(key) and roles.returns_fresh(d.usr):
            out.append(Role(d, -1, key, "returns a fresh"))
        elif usable(key) and (k := roles.takes_reference(d.usr)) is not None and typed(d, k) == key:
            out.append(Role(d, -1, key, "takes a reference to its argument, a"))
        elif key[1] == 0:
            for i in roles.fills_out(d.usr):
                base, depth = typed(d, i)
                if usable((base, depth - 1)):
                    out.append(Role(d, i, (base, depth - 1), f"writes through parameter {i + 1} a fresh"))
    return out


def releaser_roles(decls: Iterable[ir.FuncDecl], roles: Roles) -> list[Role]:
    out = []
    for d in decls:
        if not d.in_project or d.usr not in roles.functions:
            continue
        # the first parameter only: `addReplySds(c, s)` consumes s, it is no destructor of sds
        key = typed(d, 0) if d.param_types else ("", 0)
        if usable(key) and roles.releases_always(d.usr, 0):
            out.append(Role(d, 0, key, "releases"))
    return out


def _tname(key: TypeKey) -> str:
    return key[0] + " " + "*" * key[1]


_VERBS = frozenset(ACQUIRE_VERBS) | frozenset(RELEASE_VERBS) | GETTER_WORDS


def _words(name: str) -> list[str]:
    return [w for w, _, _ in split_words(name)]


def shared_words(a: str, r: str, base: str, strict: bool = False) -> list[str]:
    """Words the two names share that say something: a word of the type (`msg_from_text` / `msg_unref` for
    `msg`), or a word past their common leading run (`...ComputeReshardTable` / `...ReleaseReshardTable`, while
    `clusterManagerGetDisconnectedLinks` / `clusterManagerReleaseReshardTable` only share a module prefix).
    `strict` (a wrapper releaser): one name's words all in the other (`config_words` / `config_forget_words`) or
    two words past the leading run; `createStringObject` / `propagateErrorString` share too little."""
    aw, rw = [w for w in _words(a) if w not in _VERBS], [w for w in _words(r) if w not in _VERBS]
    lead = 0
    while lead < min(len(aw), len(rw)) and aw[lead] == rw[lead]:
        lead += 1
    type_words = {w for w in _words(base) if len(w) >= 3}
    shared = [w for w in aw if w in rw and (w in type_words or w not in aw[:lead])]
    contained = bool(aw) and bool(rw) and (set(aw) <= set(rw) or set(rw) <= set(aw))
    if strict:
        return shared if contained or len([w for w in shared if w not in aw[:lead]]) >= 2 else []
    if not shared and lead and contained:  # `str_split` / `str_free_split`
        shared = aw[:lead]
    return shared or _glued_type_prefix(a, r, type_words)


def _glued_type_prefix(a: str, r: str, type_words: set[str]) -> list[str]:
    """`sdsempty` / `sdsfree`: the names start with the same type word glued to the rest."""
    glued = os.path.commonprefix([a.lower(), r.lower()])  # noqa: RUF071 - names, not paths
    return [glued] if any(glued.startswith(w) for w in type_words) else []


def score(a: Role, r: Role, container: bool, wrapper: bool = False) -> tuple[float, list[Evidence]]:
    """The score and evidence of a behaviour pair. Type and roles alone stay low: the same file (unless the type
    is a container many functions release, like `list`) or shared name words lift it. Arguments after the released
    one cost nothing: a body that frees its first argument on every path destroys it, whatever else it takes
    (`inflight_settings_del(settings, mem)`)."""
    array = a.key[0] in GENERIC_BASES
    s = WEIGHTS["behaviour:array" if array else "behaviour:type"] + WEIGHTS["behaviour:acquirer"] \
        + WEIGHTS["behaviour:releaser"]
    ev = [Evidence(EvidenceKind.TYPES, f"behaviour: {a.decl.name}() {a.how} {_tname(a.key)}; {r.decl.name}() "
                                       f"releases its {_tname(r.key)} (argument {r.slot + 1}) on every path")]
    if a.decl.loc.file and a.decl.loc.file == r.decl.loc.file and not container and not wrapper:
        s += WEIGHTS["same-file"]
        ev.append(Evidence(EvidenceKind.SAME_FILE, f"declared in the same file {os.path.basename(a.decl.loc.file)}"))
    if words := shared_words(a.decl.name, r.decl.name, a.key[0], wrapper):
        s += WEIGHTS["behaviour:shared-word"]
        ev.append(Evidence(EvidenceKind.NAMES, f"names: {a.decl.name} / {r.decl.name} share '{' '.join(words)}'"))
    if a.slot >= 0:
        s += WEIGHTS["out-parameter"]
    return s, ev


def handle_score(p: HandlePair) -> tuple[float, list[Evidence]]:
    """The score and evidence of an integer-handle pair: the kind is the builtin one of the call that made the
    handle, so the binding is exact; the same file, shared name words and being the outer releaser lift it. An
    inner releaser (`uv__close_nocancel`, called by the project's `uv__close`) stays low."""
    a, r = p.acquirer, p.releaser
    s = WEIGHTS["handle:kind"] + WEIGHTS["behaviour:acquirer"] + WEIGHTS["behaviour:releaser"]
    ev = [Evidence(EvidenceKind.TYPES, f"behaviour: {a.name}() returns a fresh {p.kind} (or a negative error); "
                                       f"{r.name}() releases its {p.kind} (argument 1) on every path")]
    if a.loc.file and a.loc.file == r.loc.file:
        s += WEIGHTS["same-file"]
        ev.append(Evidence(EvidenceKind.SAME_FILE, f"declared in the same file {os.path.basename(a.loc.file)}"))
    if words := shared_words(a.name, r.name, p.kind):
        s += WEIGHTS["behaviour:shared-word"]
        ev.append(Evidence(EvidenceKind.NAMES, f"names: {a.name} / {r.name} share '{' '.join(words)}'"))
    if p.wrapped:
        s = min(s, CAPS["inner-handle-releaser"])
        ev.append(Evidence(EvidenceKind.NAMES, f"another releaser of {p.kind} releases through {r.name}()"))
    else:
        s += WEIGHTS["handle:outer-releaser"]
    return s, ev


def role_pairs(acquirers: list[Role], releasers: list[Role]) -> list[tuple[Role, Role]]:
    """Acquirer and releaser roles of the same type, in the same namespace."""
    by_key: dict[TypeKey, list[Role]] = defaultdict(list)
    for r in releasers:
        by_key[r.key].append(r)
    return [(a, r) for a in acquirers for r in by_key.get(a.key, []) if a.decl.qualname != r.decl.qualname]


def wrappers(releasers: list[Role], roles: Roles) -> set[str]:
    """Releasers that release through another releaser of the same type: `propagateErrorString(o)` ends with
    `decrRefCount(o)`, `clusterManagerReleaseReshardTable(t)` with `listRelease(t)`. They consume or own a
    particular use of the type; the core releasers (decrRefCount, listRelease) destroy it."""
    by_key: dict[TypeKey, set[str]] = defaultdict(set)
    for r in releasers:
        by_key[r.key].add(r.decl.usr)
    return {r.decl.usr for r in releasers if roles.releasing_callees(r.decl.usr, r.slot) & by_key[r.key]}


def containers(releasers: list[Role], wrapping: set[str]) -> set[TypeKey]:
    """Types with more than two core releasers (`list`-like types each owner frees its own way)."""
    counts: dict[TypeKey, int] = defaultdict(int)
    for r in releasers:
        if r.decl.usr not in wrapping:
            counts[r.key] += 1
    return {k for k, n in counts.items() if n > 2}
