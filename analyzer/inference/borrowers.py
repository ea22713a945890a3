"""Borrowers: body-less functions of a paired library that only use the paired resource."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable

from analyzer import ir
from analyzer.rules import RuleSet

from .names import RELEASE_VERBS, TRANSFER_WORDS, is_method, name_parts, split_words
from .pairs import Pair
from .scoring import HIGH
from .types import GENERIC_BASES, pointer


def _carries_nothing(ctype: str) -> bool:
    """A parameter no owned object is handed through: not a pointer, a function pointer, a pointer to const."""
    return pointer(ctype)[1] == 0 or "(*)" in ctype or ctype.lstrip().startswith("const ")


def _may_borrow(d: ir.FuncDecl, rules: RuleSet, roles: Collection[str], holds: Collection[str],
                bodies: Collection[str]) -> bool:
    """A declaration without a body whose name and parameters do not suggest it keeps or frees what it gets.
    A setter (`method_set_callback(METHOD *m, void (*fn)(int))`) qualifies when nothing but its receiver can
    carry an owned object: what it stores goes *into* the receiver."""
    q = d.qualname
    if q in roles or q in holds or d.has_body or d.usr in bodies or is_method(d) \
            or d.name.startswith(("_", "operator")) or d.noreturn:
        return False
    if rules.acquire_for(q) or rules.releases_for(q) or rules.realloc_for(q) or rules.borrows_args(q):
        return False
    names = {w for w, _, _ in split_words(d.name)}
    if names & set(RELEASE_VERBS) or name_parts(d.name, RELEASE_VERBS):
        return False
    if names & TRANSFER_WORDS and not (d.param_types and all(_carries_nothing(t) for t in d.param_types[1:])):
        return False
    return not any(pointer(t)[1] >= 2 for t in d.param_types)


def infer_borrowers(decls: Iterable[ir.FuncDecl], pairs: list[Pair], rules: RuleSet, with_body: Iterable[str] = (),
                    holds: Iterable[str] = ()) -> dict[str, str]:
    """Body-less functions of a paired library that take the paired T* and only use it.

    A call to a function without a body normally ends tracking (it may take ownership). For a
    high-confidence pair of a specific type, a function of the same library (same first name word or
    same header) taking that T*, that is neither acquirer nor releaser and whose name carries no
    ownership-transfer verb, borrows it: `dm_search(dict, text, len, pack)` keeps `pack` owned.
    """
    bodies, kept = set(with_body), set(holds)
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
        if d.qualname in out or not _may_borrow(d, rules, roles, kept, bodies):
            continue
        words = split_words(d.name)
        for t, ps in sorted(libs.items()):
            setter = bool({w for w, _, _ in words} & TRANSFER_WORDS)
            takes_it = pointer(d.param_types[0]) == (t, 1) if setter else \
                any(pointer(pt) == (t, 1) for pt in d.param_types)
            if takes_it and ((words and words[0][0] in first[t]) or d.loc.file in files[t]):
                out[d.qualname] = ps[0].kind
                break
    return out
