"""Pair inference: a project's own create/destroy pairs and borrowers, from names, types and bodies."""
from __future__ import annotations

from collections.abc import Mapping

from analyzer.analysis.program import Program
from analyzer.analysis.summaries import FunctionSummary
from analyzer.rules import RuleSet
from analyzer.rules.attributes import holds_functions

from .bodies import Bodies
from .borrowers import infer_borrowers
from .pairs import Inference, Pair, infer_pairs, keeps_an_argument
from .scoring import HIGH, MEDIUM

__all__ = ["HIGH", "MEDIUM", "Inference", "Pair", "infer", "infer_pairs"]


def infer(prog: Program, rules: RuleSet, summaries: Mapping[str, FunctionSummary] | None = None) -> Inference:
    """Pairs (all, best first), borrowers of the confident ones, and the acquirers that keep an argument."""
    decls = list(prog.decls.values())
    pairs = infer_pairs(decls, rules, summaries, prog.functions)
    confident = [p for p in pairs if p.score >= MEDIUM]
    borrowers = infer_borrowers(decls, confident, rules, prog.functions, holds_functions(decls))
    bodies = Bodies(prog.functions, rules)
    by_name = {d.qualname: d for d in decls}
    summarized = frozenset(p.acquirer for p in confident if keeps_an_argument(p, by_name, bodies))
    return Inference(tuple(pairs), borrowers, summarized)
