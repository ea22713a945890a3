"""Static confidence of a finding: a score from 0 to 100 with the reasons that raised or lowered it, and the
low-priority class of leaks on paths that end the process.

Findings without profile evidence are listed by this score, so the first page a user reads holds the findings
most likely to be true: a pair written by people beats one inferred from names, a short path beats one that
assumes many conditions, and memory still owned when `main` returns is reclaimed by the operating system."""
from __future__ import annotations

import dataclasses

from analyzer.model import Finding, RuleId

BASE_SCORE = 60
PROCESS_EXIT = "process-exit"  # `Finding.priority` of a leak whose every leaking exit ends the process

# Calibrated on hand-labelled findings of six Debian codebases (bench/labels/): configured pairs were right most
# often, inferred project pairs next, allocators seen only through a summary less often, and a member's value
# at method entry (the object may be fresh) least.
_CONFIGURED = ("builtin:", "rules:", "cppcheck:", "attribute:")
_SOURCE_WEIGHTS = (  # rule_source prefix, weight, reason
    (_CONFIGURED, 20, "pair known from configuration"),
    (("inferred:",), 5, "pair inferred from the project's create/destroy functions"),
    (("summary:",), -5, "allocator recognised only from a function body"),
    (("member",), -25, "assumes the member owned a resource when the method started"),
)
_MISUSE = frozenset({RuleId.DOUBLE_RELEASE, RuleId.MISMATCHED_RELEASE})
FREE_CONDITIONS = 3  # conditions a path may assume before each further one costs confidence
CONDITION_COST = 2
MAX_CONDITION_COST = 16
LONG_PATH_LINES = 80
PROCESS_EXIT_CEILING = 25


def _process_ends(f: Finding) -> bool:
    """A leak reported when `main` returns: the process exits and the system reclaims what it owned."""
    return f.rule_id == RuleId.RESOURCE_LEAK and f.function in ("main", "::main")


def _conditions(f: Finding) -> int:
    return sum(1 for ev in f.path if ev.kind == "branch")


def score(f: Finding) -> tuple[int, tuple[str, ...]]:
    """The static confidence of one finding and the reasons for it, in the order they were applied."""
    total, reasons = BASE_SCORE, []

    def adjust(delta: int, why: str) -> None:
        nonlocal total
        if delta and why:
            total += delta
            reasons.append(f"{'+' if delta > 0 else '-'}{abs(delta)} {why}")

    for prefixes, weight, why in _SOURCE_WEIGHTS:
        if f.rule_source.startswith(prefixes):
            adjust(weight, why)
            break
    if f.confidence == "low":
        adjust(-10, "low-confidence pair")
    if f.rule_id in _MISUSE and f.rule_source.startswith(_CONFIGURED):
        adjust(10, "released twice or with the wrong function, by configured releases")
    elif f.rule_id in _MISUSE or f.rule_id == RuleId.USE_AFTER_RELEASE:
        adjust(-10, "a release seen through a function summary")
    n = _conditions(f)
    if n > FREE_CONDITIONS:
        adjust(-min(MAX_CONDITION_COST, CONDITION_COST * (n - FREE_CONDITIONS)), f"path assumes {n} conditions")
    if f.acquire is not None and f.acquire.file == f.loc.file and f.loc.line - f.acquire.line > LONG_PATH_LINES:
        adjust(-8, f"long path ({f.loc.line - f.acquire.line} lines from acquisition to loss)")
    if f.over_budget:
        adjust(-25, "function over the path budget: paths were joined and conditions forgotten")
    if f.exit_count > 1:
        adjust(5, f"lost at {f.exit_count} exits")
    if f.evidence is not None and f.evidence.status == "confirmed":
        adjust(30, "confirmed by heap profile growth")
    if _process_ends(f):  # at most PROCESS_EXIT_CEILING: below nearly every finding of the normal class
        adjust(-max(30, total - PROCESS_EXIT_CEILING),
               "lost only when main() returns: the process ends and the system reclaims it")
    return max(0, min(100, total)), tuple(reasons)


def ranked(f: Finding) -> Finding:
    """`f` with its score, reasons and priority class filled in."""
    value, reasons = score(f)
    return dataclasses.replace(f, score=value, score_reasons=reasons,
                               priority=PROCESS_EXIT if _process_ends(f) else "")
