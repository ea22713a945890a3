"""A scan's findings fitted to the team's workflow, in a fixed order: excluded files dropped, suppressions applied
(suppressed findings kept aside, stale suppressions listed), the baseline compared, then only what a change touched
kept (`--diff-base`)."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reports.paths import relative

from .baseline import classify, load_baseline
from .diffbase import changed_lines, touches
from .globs import PathGlobs
from .model import AnalysisResult, Suppression
from .suppress import apply_suppressions, inline_suppressions, load_suppression_file

__all__ = ["WorkflowOptions", "apply_workflow"]


@dataclass(frozen=True)
class WorkflowOptions:
    exclude: tuple[str, ...] = ()  # git-style globs relative to `exclude_base`
    exclude_base: str = ""  # '' the result's root
    suppression_files: tuple[str, ...] = ()
    inline_files: tuple[str, ...] = ()  # files to read inline suppressions from (besides the findings' own)
    baseline: str = ""
    diff_base: str = ""


def load_suppressions(options: WorkflowOptions, result: AnalysisResult,
                      read_text: Callable[[str], str | None]) -> list[Suppression]:
    out: list[Suppression] = []
    for path in options.suppression_files:
        out += load_suppression_file(path)
    files = dict.fromkeys(os.path.abspath(p) for p in options.inline_files)
    for f in result.findings:
        files.setdefault(os.path.abspath(f.loc.file))
        if f.acquire is not None:
            files.setdefault(os.path.abspath(f.acquire.file))
    for path in files:
        text = read_text(path)
        if text is not None:
            out += inline_suppressions(path, text)
    return out


def apply_workflow(result: AnalysisResult, options: WorkflowOptions,
                   read_text: Callable[[str], str | None]) -> AnalysisResult:
    def rel(path: str) -> str:
        return relative(path, result.root)

    if options.exclude:
        excluded = PathGlobs(options.exclude, options.exclude_base or result.root)
        result = dataclasses.replace(result, findings=tuple(f for f in result.findings
                                                            if not excluded.matches(f.loc.file)))
    suppressions = load_suppressions(options, result, read_text)
    result, stale = apply_suppressions(result, suppressions, rel)
    result = dataclasses.replace(result, workflow=dataclasses.replace(
        result.workflow, stale_suppressions=tuple(stale), suppression_files=tuple(options.suppression_files)))
    if options.baseline:
        result = classify(result, load_baseline(options.baseline), rel)
    if options.diff_base:
        result = only_changed(result, options.diff_base)
    return result


def only_changed(result: AnalysisResult, rev: str, changed_in: Sequence[str] = ()) -> AnalysisResult:
    changed = changed_lines(rev, (changed_in or [result.root])[0])
    kept = tuple(f for f in result.findings if touches(f, changed))
    suppressed = tuple(s for s in result.suppressed if touches(s.finding, changed))
    workflow = dataclasses.replace(result.workflow, diff_base=rev,
                                   outside_diff=len(result.findings) - len(kept))
    return dataclasses.replace(result, findings=kept, suppressed=suppressed, workflow=workflow)
