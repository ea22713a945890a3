"""Rules that name an argument the function does not have: said once, instead of silently doing nothing."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analyzer import ir

from .model import Acquire, Realloc, Release, RuleSet


@dataclass(frozen=True)
class RuleWarning:
    path: str
    line: int
    message: str


def argument_out_of_range(rules: RuleSet, decls: Iterable[ir.FuncDecl]) -> list[RuleWarning]:
    """A rules-file rule whose argument index is past the parameters of every declaration of its function seen
    in the scan (overloads: any one that has it is enough)."""
    arity: dict[str, int] = {}
    for d in decls:
        for name in {d.name, d.qualname}:
            arity[name] = max(arity.get(name, 0), len(d.param_types))
    checks: list[tuple[Acquire | Release | Realloc, str, int]] = [
        (a, "out_arg", a.out_arg) for a in rules.acquires.values() if a.out_arg is not None]
    checks += [(r, "arg", r.arg) for rels in rules.releases.values() for r in rels]
    checks += [(r, "arg", r.arg) for r in rules.reallocs.values()]
    out = []
    for rule, key, index in checks:
        n = arity.get(rule.function)
        if rule.source.startswith("builtin:") or not rule.origin or n is None or index < n:
            continue  # a shipped rule, an unseen function, or in range
        path, _, line = rule.origin.rpartition(":")
        out.append(RuleWarning(path, int(line) if line.isdigit() else 0,
                               f"'{rule.function}': {key} = {index} is beyond its {n} parameter(s) (counted from 0): "
                               "this rule has no effect"))
    return out
