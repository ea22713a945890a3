"""The check registry: each check declares the ruleIds it reports and turns the analysis into findings."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from analyzer.analysis.dataflow import Defect
from analyzer.analysis.fixpoint import ProgramAnalysis
from analyzer.analysis.program import Program
from analyzer.model import Finding, RuleId

from .paths import defect_finding


@dataclass(frozen=True)
class CheckContext:
    program: Program
    analysis: ProgramAnalysis
    defects: Mapping[str, tuple[Defect, ...]]  # per function USR, after the member-overwrite refinement

    def defect_findings(self, rule_ids: Collection[RuleId]) -> Iterator[Finding]:
        """The dataflow's defects of these ruleIds as findings, function by function."""
        for res in self.analysis.results:
            for d in self.defects.get(res.function.usr, ()):
                if d.rule_id in rule_ids:
                    yield defect_finding(d, res.function, self.analysis.resolver, res.truncated)


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    rule_ids: tuple[RuleId, ...]
    run: CheckFunction


CHECKS: dict[str, Check] = {}


def check(*rule_ids: RuleId) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function reporting `rule_ids`."""
    def register(fn: CheckFunction) -> CheckFunction:
        CHECKS[fn.__name__] = Check(fn.__name__, tuple(rule_ids), fn)
        return fn
    return register


def checks_for(rule_id: RuleId) -> list[Check]:
    return [c for c in CHECKS.values() if rule_id in c.rule_ids]
