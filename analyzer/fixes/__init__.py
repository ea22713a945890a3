"""Suggested fixes for findings, as structured text edits (reports render them as one unified diff).

One fix per finding that a person would fix the same way: release before an exit (at any depth, also a `break`,
`continue` or the closing brace where the variable dies), jump to the function's cleanup label instead when it
releases the resource, release the old value before an overwrite (the realloc idiom for `p = realloc(p, n)`), add the
release to the destructor (or create it), remove a second release or null the pointer after the first, call the
expected release function. A leak lost on several exits is fixed on all of them or not at all. With a `verify`
callback (analyzer/fixcheck.py) a fix is kept only when the patched file compiles with its TU's compile command.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from analyzer.model import AnalysisResult, Finding, Fix, RuleId, TextEdit
from analyzer.sourcetext import split_lines

from .leaks import fix_leak
from .members import fix_member
from .misuse import fix_double_release, fix_mismatch
from .overwrite import fix_overwrite
from .plans import Plan, complete, merged_edits
from .source import CXX_SUFFIXES, VAR_RE, Edit, Source, in_macro

__all__ = ["Verify", "attach_fixes", "fix_for", "fixes_for_file"]

Verify = Callable[[str, str], bool]  # (path, patched text) -> it compiles


def fix_for(finding: Finding, source_text: str) -> Fix | None:
    """The edits that fix `finding` alone in `source_text` (its file), or None.

    None means no fix is certain to be safe: unknown variable or release function, the
    statement comes from a macro, the return value uses the resource, unusual layout.
    """
    per_finding, _ = fixes_for_file([finding], source_text)
    return per_finding.get(0)


def fixes_for_file(findings: Sequence[Finding], source_text: str) -> tuple[dict[int, Fix], tuple[TextEdit, ...]]:
    """Fixes of findings reported in one file: each finding's own fix (by index), and the edits fixing all of them.

    A leak lost on several exits is fixed on every one of them, or not at all. Findings reported on the same
    statement (say a buffer and a file both leaking at one `return`) share one edit: all releases go before it,
    inside one pair of added braces. A fix that would clash with one already taken is left out of the combined edits.
    """
    src = Source.parse(source_text)
    cxx = bool(findings) and findings[0].loc.file.lower().endswith(CXX_SUFFIXES)
    own: dict[int, Fix] = {}
    for n, finding in enumerate(findings):
        plans = [_plan(x, src, cxx, set()) for x in _per_exit(finding)]
        if plans and all(p is not None for p in plans):
            edits = complete(src, [p for p in plans if p is not None])
            if edits:
                own[n] = _as_fix(finding.loc.file, edits)
    taken: set[str] = set()  # the combined patch must not reuse a fresh name
    combined = [p for n in sorted(own) for x in _per_exit(findings[n]) if (p := _plan(x, src, cxx, taken)) is not None]
    path = findings[0].loc.file if findings else ""
    return own, _as_fix(path, merged_edits(src, combined)).edits


def _per_exit(f: Finding) -> list[Finding]:
    """The finding as it is lost at each of its exits (one for a finding with a single exit)."""
    return [f, *(dataclasses.replace(f, loc=x.loc, path=x.path, snippet=x.snippet, exits=()) for x in f.exits)]


def _as_fix(path: str, edits: Sequence[Edit]) -> Fix:
    return Fix(tuple(TextEdit(path, e.start, e.end, e.new) for e in sorted(edits, key=lambda e: (e.start, e.end))))


def _plan(finding: Finding, src: Source, cxx: bool, taken: set[str]) -> Plan | None:
    idx = finding.loc.line - 1
    if not 0 <= idx < len(src.lines) or not VAR_RE.fullmatch(finding.var or ""):
        return None
    if in_macro(src, idx):
        return None
    if finding.rule_id == RuleId.RESOURCE_LEAK:
        return fix_leak(finding, src, idx)
    if finding.rule_id == RuleId.LEAK_ON_OVERWRITE:
        return fix_overwrite(finding, src, idx, cxx, taken)
    if finding.rule_id == RuleId.DOUBLE_RELEASE:
        return fix_double_release(finding, src, idx, cxx)
    if finding.rule_id == RuleId.MISMATCHED_RELEASE:
        return fix_mismatch(finding, src, idx)
    if finding.rule_id == RuleId.MEMBER_NOT_RELEASED and cxx:
        return fix_member(finding, src)
    return None


# ---- checked against the compiler -------------------------------------------------------------------------------

def _patched(text: str, edits: Sequence[TextEdit]) -> str:
    lines = split_lines(text)
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        lines[e.start:e.end] = list(e.lines)
    return "".join(lines)


def _checked_file_fixes(findings: Sequence[Finding], text: str, path: str,
                        verify: Verify | None) -> tuple[dict[int, Fix], tuple[TextEdit, ...]]:
    """Each finding's own fix, kept only when the patched file compiles; the combined edits of the kept ones, checked
    as a whole (when they do not compile together, they are added one by one while they do)."""
    own, combined = fixes_for_file(findings, text)
    if verify is None:
        return own, combined
    own = {k: fix for k, fix in own.items() if verify(path, _patched(text, fix.edits))}
    if not own:
        return {}, ()
    kept = [findings[k] for k in sorted(own)]
    _, combined = fixes_for_file(kept, text)
    if verify(path, _patched(text, combined)):
        return own, combined
    chosen: list[Finding] = []
    combined = ()
    for f in kept:
        _, trial = fixes_for_file([*chosen, f], text)
        if verify(path, _patched(text, trial)):
            chosen.append(f)
            combined = trial
    return own, combined


def attach_fixes(result: AnalysisResult, read_text: Callable[[str], str | None],
                 verify: Verify | None = None) -> AnalysisResult:
    """`result` with each fixable finding's own fix and, in `result.patch`, the edits that fix them all. With
    `verify`, a fix is kept only when the patched file compiles."""
    by_file: dict[str, list[int]] = {}
    for n in sorted(range(len(result.findings)), key=lambda n: result.findings[n].sort_key()):
        by_file.setdefault(result.findings[n].loc.file, []).append(n)
    findings = list(result.findings)
    patch: list[TextEdit] = []
    for path, indexes in sorted(by_file.items()):
        text = read_text(path)
        if text is None:
            continue
        own, combined = _checked_file_fixes([findings[i] for i in indexes], text, path, verify)
        for k, n in enumerate(indexes):
            findings[n] = dataclasses.replace(findings[n], fix=own.get(k))
        patch.extend(combined)
    return dataclasses.replace(result, findings=tuple(findings), patch=tuple(patch))
