"""Checks: findings made from the analysis, one registered check per family of ruleIds."""
from __future__ import annotations

from collections.abc import Collection

from analyzer.analysis.fixpoint import ProgramAnalysis
from analyzer.analysis.program import Program
from analyzer.model import Finding, RuleId

from . import forgotten_fields, leaks, members, releases, stored_again  # noqa: F401  (they register themselves)
from .member_overwrite import refine_member_overwrites
from .registry import CHECKS, Check, CheckContext, check, checks_for

__all__ = ["CHECKS", "Check", "CheckContext", "check", "checks_for", "run_checks"]


def run_checks(program: Program, analysis: ProgramAnalysis, enabled: Collection[RuleId] | None = None) -> list[Finding]:
    """Every registered check in registration order; `enabled` keeps only findings of those ruleIds."""
    ctx = CheckContext(program, analysis, refine_member_overwrites(analysis.results, program))
    findings: list[Finding] = []
    for c in CHECKS.values():
        if enabled is None or set(c.rule_ids) & set(enabled):
            findings.extend(f for f in c.run(ctx) if enabled is None or f.rule_id in enabled)
    return findings
