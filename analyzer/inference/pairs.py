"""Inferred create/destroy pairs: names (shared stem + verb pair) bound by types, weighed by behaviour."""
from __future__ import annotations

import dataclasses
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzer import ir
from analyzer.analysis.summaries import FunctionSummary
from analyzer.model import InferredPair
from analyzer.rules import RuleSet
from analyzer.rules.attributes import attributes_of

from .behaviour import (
    Role,
    acquirer_roles,
    containers,
    handle_score,
    releaser_roles,
    role_pairs,
    typed,
    usable,
    wrappers,
)
from .behaviour import score as behaviour_score
from .bodies import Bodies
from .handles import Handles, handle_pairs
from .names import (
    ACQUIRE_VERBS,
    GETTER_WORDS,
    RELEASE_VERBS,
    VERB_PAIRS,
    NameParts,
    glued,
    is_method,
    name_parts,
    namespace,
    split_words,
    stems_match,
)
from .roles import Known, Roles
from .scoring import HIGH, MEDIUM, WEIGHTS, Behaviour, Evidence, EvidenceKind, behaviour
from .types import GENERIC_BASES, bind, pointer
from .variants import Source, delegated_out_parameters, variant_pairs


@dataclass(frozen=True, slots=True)
class Pair:
    """One inferred acquirer/releaser pair with its confidence and the evidence for it."""
    kind: str
    acquirer: str
    releaser: str
    score: float
    evidence: tuple[Evidence, ...]
    out_arg: int | None = None  # acquirer writes the resource through this parameter (0-based)
    release_arg: int = 0
    type: str = ""  # the pointee type binding the two ('dm_pack', 'void')
    file: str = ""
    line: int = 0
    origin: str = "names"  # what found it: 'names', 'behaviour' (the bodies' roles alone) or 'both'

    @property
    def confidence(self) -> str:
        return "high" if self.score >= HIGH else "medium" if self.score >= MEDIUM else "low"

    @property
    def source(self) -> str:
        return f"inferred:{self.acquirer}/{self.releaser}"

    def record(self) -> InferredPair:
        return InferredPair(self.acquirer, self.releaser, self.kind, self.confidence, round(self.score, 2),
                            tuple(e.text for e in self.evidence), self.out_arg, self.release_arg, self.type,
                            self.file, self.line)


@dataclass(frozen=True)
class Inference:
    pairs: tuple[Pair, ...] = ()
    borrowers: Mapping[str, str] = field(default_factory=dict)  # function -> kind it borrows
    # acquirers whose body keeps one of their arguments: an acquire rule would make callers keep
    # tracking what they passed (rules borrow every argument), so their summary speaks for them
    summarized: frozenset[str] = frozenset()

    def confident(self) -> list[Pair]:
        return [p for p in self.pairs if p.score >= MEDIUM]


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
    base, depth = typed(decl, -1)
    if depth == 1:
        return [_Acq(decl, parts, base, None)]
    if depth == 0:
        outs = []
        for i in range(len(decl.param_types)):
            b, d = typed(decl, i)
            if d == 2:
                outs.append(_Acq(decl, parts, b, i))
        return outs
    return []


def _releaser(decl: ir.FuncDecl) -> _Rel | None:
    parts = name_parts(decl.name, RELEASE_VERBS)
    if parts is None:
        return None
    params = tuple(typed(decl, i) for i in range(len(decl.param_types)))
    if not any(d == 1 for _, d in params):
        return None
    return _Rel(decl, parts, params)


def _kind_name(acq: _Acq) -> str:
    if acq.base and acq.base not in GENERIC_BASES:
        return acq.base
    stem = acq.parts.prefix
    return stem if len(stem) >= 3 else acq.decl.qualname


def _moves_an_argument(a: _Acq, roles: Roles) -> bool:
    """`sds sdsMakeRoomFor(sds s, size_t n)`: a body that returns its argument (or its block moved) is no
    constructor, whatever its name; a reference taker (`msg_ref`) is."""
    d = a.decl
    if a.out_arg is not None or d.usr not in roles.functions or roles.returns_fresh(d.usr):
        return False
    if roles.returns_param(d.usr) is not None or roles.moves_param(d.usr) is not None:
        return roles.takes_reference(d.usr) is None
    return usable((a.base, 1)) and any(typed(d, i) == (a.base, 1) for i in range(len(d.param_types)))


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


def _binding(a: _Acq, r: _Rel) -> tuple[str, int] | None:
    """The best way the acquirer's resource binds to a parameter of the releaser: (how, argument index)."""
    bound: tuple[str, int] | None = None
    for i, (base, depth) in enumerate(r.params):
        how = bind(a.base, base) if depth == 1 else None
        if how is not None and (bound is None or WEIGHTS[f"bind:{how}"] > WEIGHTS[f"bind:{bound[0]}"]):
            bound = (how, i)
    return bound


def _type_evidence(a: _Acq, r: _Rel, how: str, arg: int) -> Evidence:
    tname = a.base + " *"
    takes = f"{r.decl.name}() takes {r.params[arg][0]} * (argument {arg + 1})"
    if a.out_arg is not None:
        return Evidence(EvidenceKind.TYPES, f"types: {a.decl.name}() writes {tname} through out-parameter "
                                            f"{a.out_arg + 1}; {takes}")
    return Evidence(EvidenceKind.TYPES, f"types: {a.decl.name}() returns {tname}; {takes}"
                                        f"{'' if how == 'specific' else f' [{how}]'}")


_ALLOCATION_VERBS = frozenset({"malloc", "calloc", "alloc"})


def _allocator_variant(a: _Acq, r: _Rel, how: str, alias: bool, arg: int, bodies: Bodies) -> bool:
    """`void *sqlite3DbMallocRaw(db, n)` / `sqlite3DbFree(db, void *p)`: raw memory (void/char on both sides, no
    typedef) from an allocation verb, a free of the same stem; the words after the verb differ (Raw, Zero, 64,
    Usable) but the bodies confirm both: it returns what an allocating call returned, and the free releases it."""
    return how == "generic" and not alias and a.out_arg is None and a.parts.verb in _ALLOCATION_VERBS \
        and r.parts.verb == "free" and not r.parts.after and bool(bodies.returns_acquired(a.decl.usr)) \
        and bool(bodies.releases_param(r.decl.usr, arg))


def _name_score(a: _Acq, r: _Rel, bodies: Bodies) -> tuple[float, str, int, list[Evidence]] | None:
    """Score from names and types alone: (score, how, release argument, evidence), or None if they do not pair."""
    if r.decl.qualname == a.decl.qualname or not stems_match(a.parts, r.parts):
        return None
    strength = VERB_PAIRS[a.parts.verb].get(r.parts.verb)
    if not strength or (not (a.parts.before or a.parts.after) and not (r.parts.before or r.parts.after)):
        return None
    bound = _binding(a, r)
    if bound is None:
        return None
    how, arg = bound
    alias = bool(a.decl.aliases and a.decl.aliases[0 if a.out_arg is None else a.out_arg + 1])
    if (how != "specific" or alias) and (a.parts.after != r.parts.after or
                              glued(a.decl.name, a.parts) != glued(r.decl.name, r.parts)) \
            and not _allocator_variant(a, r, how, alias, arg, bodies):
        return None  # `RM_CreateString` / `RM_Free(void *)`, `hi_sdsMakeRoomFor` / `hi_sdsfree`: a generic (or
        # char-typedef) free must match the whole name
    if a.out_arg is not None and how != "specific":
        return None  # `void **` out-parameters are buffers more often than handles
    tscore = WEIGHTS[f"bind:{how}"] + (WEIGHTS["out-parameter"] if a.out_arg is not None else 0)
    stem = " + ".join(x for x in (a.parts.prefix, "_".join(a.parts.after)) if x)
    evidence = [Evidence(EvidenceKind.NAMES, f"names: {a.decl.name} / {r.decl.name} share '{stem}', verbs "
                                             f"{a.parts.verb}/{r.parts.verb}"), _type_evidence(a, r, how, arg)]
    return WEIGHTS["verb"] * strength + tscore, how, arg, evidence


def _score_pair(a: _Acq, r: _Rel, summaries: Mapping[str, FunctionSummary], bodies: Bodies) -> Pair | None:
    named = _name_score(a, r, bodies)
    if named is None:
        return None
    score, _how, arg, evidence = named
    ambiguous = False
    if a.decl.loc.file and a.decl.loc.file == r.decl.loc.file:
        score += WEIGHTS["same-file"]
        evidence.append(Evidence(EvidenceKind.SAME_FILE,
                                 f"declared in the same file {os.path.basename(a.decl.loc.file)}"))
    if len(r.params) == 1:
        score += WEIGHTS["single-parameter-releaser"]
    elif arg < len(r.params) - 1:
        # `dict_delete(d, key)` removes an element; `g_string_free(s, keep)` is rarer
        ambiguous = r.parts.verb in ("del", "delete", "release")
        score += WEIGHTS["extra-arguments-ambiguous" if ambiguous else "extra-arguments"]
        evidence.append(Evidence(EvidenceKind.EXTRA_ARGUMENTS, f"{r.decl.name}() takes more arguments after it"
                                 + (": may remove an element rather than destroy" if ambiguous else "")))
    if not a.parts.after or not a.parts.before:
        score += WEIGHTS["one-sided-stem"]
    if a.decl.in_project and r.decl.in_project:
        score += WEIGHTS["both-in-project"]
    if any(x.what == "malloc" for x in attributes_of(a.decl)):
        score += WEIGHTS["malloc-attribute"]
        evidence.append(Evidence(EvidenceKind.MALLOC_ATTRIBUTE,
                                 f"{a.decl.name}() is declared __attribute__((malloc))"))
    b: Behaviour = behaviour(a.decl, a.out_arg, r.decl, arg, summaries, bodies)
    cap = b.cap
    if ambiguous:
        if b.says(EvidenceKind.SUMMARY_RELEASES):
            score += WEIGHTS["destructor-with-extra-arguments"]  # the summary settles it
        else:
            cap = min(cap, 0.55)  # only behaviour tells an element removal from a destructor
    score = min(score + b.delta, cap)
    evidence += b.evidence
    # `iter_new` returns an ITER: a word naming the returned type is no getter word
    getter = bool(GETTER_WORDS & set(a.parts.before + a.parts.after) - {w for w, _, _ in split_words(a.base)})
    if getter and not b.acquirer_owns:
        return None
    if getter:
        evidence.append(Evidence(EvidenceKind.GETTER, "getter-like name, but behaviour shows an owned result"))
    return Pair(_kind_name(a), a.decl.qualname, r.decl.qualname, round(min(score, 1.0), 3), tuple(evidence),
                a.out_arg, arg, a.base, a.decl.loc.file, a.decl.loc.line)


def infer_pairs(decls: Iterable[ir.FuncDecl], rules: RuleSet, summaries: Mapping[str, FunctionSummary] | None = None,
                functions: Mapping[str, ir.Function] | None = None) -> list[Pair]:
    """Every acquirer/releaser pair the declarations support, best first; filter by `Pair.confidence`.

    Parameters
    ----------
    decls : function declarations of the program (a header without bodies is enough)
    rules : functions already defined by rules, cppcheck files or attributes are left alone
    summaries : callee summaries by USR, when the bodies were analyzed (behaviour evidence)
    functions : the bodies in the scan by USR (structural behaviour evidence)
    """
    bodies = Bodies(functions or {}, rules)
    roles = Roles(bodies.functions, rules, bodies)
    cands = _candidates(decls, rules)
    acqs = [a for d in cands for a in _acquirer(d) if not _moves_an_argument(a, roles)]
    by_ns: dict[str, list[_Rel]] = defaultdict(list)
    for d in cands:
        if (r := _releaser(d)) is not None:
            by_ns[namespace(r.decl.qualname)].append(r)
    pairs: list[Pair] = []
    for a in acqs:
        for r in by_ns.get(namespace(a.decl.qualname), []):
            pair = _score_pair(a, r, summaries or {}, bodies)
            if pair is not None:
                pairs.append(pair)
    if functions:
        roles = Roles(bodies.functions, rules, bodies, _known(pairs))
        pairs = _with_behaviour(pairs, cands, roles)
        pairs += _handles(cands, Handles(bodies.functions, rules, bodies))
        pairs += _variants(pairs, cands, roles)
    pairs = _best_of_each(pairs)
    pairs.sort(key=lambda p: (-p.score, p.kind, p.acquirer, p.releaser))
    return _unify_kinds(pairs)


def _best_of_each(pairs: list[Pair]) -> list[Pair]:
    """One pair per (acquirer, out-parameter, releaser, argument): the best scored, with the first line of the
    others' evidence (a delegate that lifts a low behaviour pair)."""
    best: dict[tuple, Pair] = {}
    for p in pairs:
        key = (p.acquirer, p.out_arg, p.releaser, p.release_arg)
        kept = best.get(key)
        if kept is None:
            best[key] = p
        else:
            hi, lo = (p, kept) if p.score > kept.score else (kept, p)
            best[key] = dataclasses.replace(hi, evidence=hi.evidence + lo.evidence[:1])
    return list(best.values())


def _known(pairs: list[Pair]) -> Known:
    """The confident name pairs as settled roles: `return nghttp2_mem_calloc(mem, ..)` returns a fresh object even
    though nghttp2_mem_calloc calls through the allocator table."""
    confident = [p for p in pairs if p.score >= MEDIUM]
    fills: dict[str, set[int]] = defaultdict(set)
    releases: dict[str, set[int]] = defaultdict(set)
    for p in confident:
        releases[p.releaser].add(p.release_arg)
        if p.out_arg is not None:
            fills[p.acquirer].add(p.out_arg)
    return Known(frozenset(p.acquirer for p in confident if p.out_arg is None),
                 {k: frozenset(v) for k, v in fills.items()}, {k: frozenset(v) for k, v in releases.items()})


def _behaviour_pair(a: Role, r: Role, container: bool, wrapper: bool) -> Pair:
    s, evidence = behaviour_score(a, r, container, wrapper)
    base, depth = a.key
    t = base if depth == 1 else f"{base} {'*' * (depth - 1)}"
    return Pair(t, a.decl.qualname, r.decl.qualname, round(min(s, 1.0), 3), tuple(evidence),
                a.slot if a.slot >= 0 else None, r.slot, t, a.decl.loc.file, a.decl.loc.line, "behaviour")


def _with_behaviour(pairs: list[Pair], cands: list[ir.FuncDecl], roles: Roles) -> list[Pair]:
    """Add the pairs the bodies' roles show (acquirer and releaser of one type); a name pair they confirm is
    marked 'both' and keeps the better score."""
    by_key = {(p.acquirer, p.releaser, p.release_arg): i for i, p in enumerate(pairs)}
    out = list(pairs)
    releasers = releaser_roles(cands, roles)
    wrapping = wrappers(releasers, roles)
    shared = containers(releasers, wrapping)
    for a, r in role_pairs(acquirer_roles(cands, roles), releasers):
        # a wrapper pairs on close names alone, never on the file: `raxNew` is not freeTrackingRadixTree's
        found = _behaviour_pair(a, r, a.key in shared, r.decl.usr in wrapping)
        i = by_key.get((found.acquirer, found.releaser, found.release_arg))
        if i is None:
            by_key[(found.acquirer, found.releaser, found.release_arg)] = len(out)
            out.append(found)
        elif out[i].origin != "behaviour" and out[i].out_arg == found.out_arg:
            named = out[i]
            out[i] = dataclasses.replace(named, origin="both", score=max(named.score, found.score),
                                         evidence=named.evidence + found.evidence[:1])
    return out


def _handles(cands: list[ir.FuncDecl], handles: Handles) -> list[Pair]:
    """Pairs of integer handles (descriptors) the bodies show; their kind is the builtin one ('fd')."""
    out = []
    for hp in handle_pairs(cands, handles):
        s, evidence = handle_score(hp)
        out.append(Pair(hp.kind, hp.acquirer.qualname, hp.releaser.qualname, round(min(s, 1.0), 3), tuple(evidence),
                        None, 0, hp.kind, hp.acquirer.loc.file, hp.acquirer.loc.line, "behaviour"))
    return out


def _variants(pairs: list[Pair], cands: list[ir.FuncDecl], roles: Roles, rounds: int = 3) -> list[Pair]:
    """Allocator variants of confident acquirers (analyzer.inference.variants), a few rounds deep (a variant of a
    variant); each scores as its weakest source pair."""
    decl_of = {d.qualname: d for d in cands}
    found: list[Pair] = []
    for _ in range(rounds):
        paired: dict[str, list[Source]] = defaultdict(list)
        for p in pairs + found:
            if p.score >= MEDIUM and p.out_arg is None:
                paired[p.acquirer].append(Source(p.acquirer, p.releaser, p.release_arg, p.kind, p.score))
        new = variant_pairs(cands, roles, paired, decl_of)
        if not new:
            break
        for v in new:
            via = ", ".join(sorted({f"{s.acquirer}()" for s in v.sources}))
            r = v.sources[0]
            evidence = (Evidence(EvidenceKind.TYPES, f"behaviour: {v.decl.name}() returns what {via} returns, "
                                                     f"released by {r.releaser}() (argument {r.release_arg + 1})"),)
            found.append(Pair(r.kind, v.decl.qualname, r.releaser, min(s.score for s in v.sources), evidence, None,
                              r.release_arg, typed(v.decl, -1)[0], v.decl.loc.file, v.decl.loc.line, "behaviour"))
    return found + _delegates(pairs + found, cands, roles)


def _delegates(pairs: list[Pair], cands: list[ir.FuncDecl], roles: Roles) -> list[Pair]:
    """The functions confident out-parameter acquirers hand their out-parameter to (variants.delegated_out_parameters),
    each scored as the pair it comes from."""
    by_usr = {d.usr: d for d in cands}
    by_name = {d.qualname: d for d in cands}
    known = {(p.acquirer, p.out_arg, p.releaser, p.release_arg) for p in pairs if p.score >= MEDIUM}
    sources = [(by_name[p.acquirer], p.out_arg, Source(p.acquirer, p.releaser, p.release_arg, p.kind, p.score))
               for p in pairs if p.score >= MEDIUM and p.out_arg is not None and p.acquirer in by_name]
    out: list[Pair] = []
    for dlg in delegated_out_parameters(roles, sources, by_usr):
        s, d = dlg.source, dlg.decl
        key = (d.qualname, dlg.out_arg, s.releaser, s.release_arg)
        if key in known or not d.in_project:
            continue
        known.add(key)
        evidence = (Evidence(EvidenceKind.TYPES, f"behaviour: {s.acquirer}() hands its out-parameter "
                                                 f"{dlg.source_out + 1} to {d.name}(), which stores a new object "
                                                 f"through parameter {dlg.out_arg + 1}; released by {s.releaser}() "
                                                 f"(argument {s.release_arg + 1})"),)
        base, depth = typed(d, dlg.out_arg)
        out.append(Pair(s.kind, d.qualname, s.releaser, s.score, evidence, dlg.out_arg, s.release_arg,
                        base if depth == 2 else f"{base} {'*' * (depth - 2)}", d.loc.file, d.loc.line, "behaviour"))
    return out


_VERB_RANK = {v: i for i, v in enumerate(("malloc", "alloc", "calloc", "new", "create", "open", "init", "load",
                                          "acquire", "make", "connect", "construct", "dup", "strdup", "strndup",
                                          "clone", "copy", "ref"))}


def _verb_rank(acquirer: str) -> tuple[int, str]:
    parts = name_parts(acquirer.rpartition("::")[2], ACQUIRE_VERBS)
    return (_VERB_RANK.get(parts.verb if parts else "", 99), acquirer)


def _group_kind(ps: list[Pair]) -> str:
    types = Counter(p.type for p in ps if p.type and p.type not in GENERIC_BASES)
    stems = Counter(p.kind for p in ps if p.kind != p.acquirer)
    if types:
        return sorted(types, key=lambda t: (-types[t], t))[0]
    if stems:
        return sorted(stems, key=lambda k: (-stems[k], k))[0]
    return min((p.acquirer for p in ps), key=_verb_rank)


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
        kind = _group_kind(ps)
        for p in ps:
            kind_of[p.acquirer] = kind
    return [dataclasses.replace(p, kind=kind_of[p.acquirer]) if kind_of.get(p.acquirer, p.kind) != p.kind else p
            for p in pairs]


def keeps_an_argument(pair: Pair, decls: Mapping[str, ir.FuncDecl], bodies: Bodies) -> bool:
    """The acquirer's body keeps one of its other pointer arguments (stores it, hands it to a keeper)."""
    d = decls.get(pair.acquirer)
    return d is not None and d.usr in bodies.functions and any(
        i != pair.out_arg and pointer(t)[1] >= 1 and bodies.stores_param(d.usr, i) for i, t in enumerate(d.param_types))
