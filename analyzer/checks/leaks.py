"""Leaks: a resource lost at an exit or scope end, an overwritten owner (locals, members on reload), a discarded
acquisition."""
from __future__ import annotations

from collections.abc import Iterable

from analyzer.model import Finding, RuleId

from .registry import CheckContext, check


@check(RuleId.RESOURCE_LEAK, RuleId.LEAK_ON_OVERWRITE, RuleId.UNUSED_ACQUIRE)
def leaks(ctx: CheckContext) -> Iterable[Finding]:
    return ctx.defect_findings({RuleId.RESOURCE_LEAK, RuleId.LEAK_ON_OVERWRITE, RuleId.UNUSED_ACQUIRE})
