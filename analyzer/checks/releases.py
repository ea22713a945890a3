"""Misuse of a release: released twice, with a function of another family, or used after it."""
from __future__ import annotations

from collections.abc import Iterable

from analyzer.model import Finding, RuleId

from .registry import CheckContext, check


@check(RuleId.DOUBLE_RELEASE, RuleId.MISMATCHED_RELEASE, RuleId.USE_AFTER_RELEASE)
def releases(ctx: CheckContext) -> Iterable[Finding]:
    return ctx.defect_findings({RuleId.DOUBLE_RELEASE, RuleId.MISMATCHED_RELEASE, RuleId.USE_AFTER_RELEASE})
