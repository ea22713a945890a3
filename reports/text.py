"""Compiler-style text: `file:line:col: warning: message [ruleId]` with the path as notes."""
from __future__ import annotations

import os

from analyzer.model import AnalysisResult, Evidence, Suppression, human_bytes
from analyzer.sourcetext import terminal_safe

from .paths import relative


def _growth(ev: Evidence) -> str:
    rate = "" if ev.per_hour is None else f", {'+' if ev.per_hour >= 0 else ''}{human_bytes(round(ev.per_hour))}/h"
    verdict = {"growing": ", still growing", "plateaued": ", plateaued"}.get(ev.verdict, "")
    return f"{human_bytes(ev.growth_bytes)} heap growth{rate}{verdict}"


def render_text(result: AnalysisResult, verbose_path: bool = True) -> str:
    lines: list[str] = []
    for d in result.diagnostics:
        lines.append(f"{relative(d.file, result.root)}:{d.line}: {d.severity}: {d.message}")
    for f in result.findings:
        level = "error" if f.level == "error" else "warning"
        evidence = ""
        if f.evidence is not None and f.evidence.status == "confirmed":
            evidence = f" (rank {f.rank}, confirmed: {_growth(f.evidence)})"
        state = f" ({f.baseline_state})" if f.baseline_state else ""
        if f.priority:
            state += f" (low priority: {f.priority})"
        lines.append(f"{relative(f.loc.file, result.root)}:{f.loc.line}:{f.loc.col}: {level}: "
                     f"{f.message} in {f.function}(){evidence} [{f.rule_id}]{state}")
        if verbose_path:
            for n, ev in enumerate(f.path, 1):
                lines.append(f"{relative(ev.loc.file, result.root)}:{ev.loc.line}:{ev.loc.col}: note: "
                             f"({n}) {ev.message}")
        verb = "is also overwritten" if f.rule_id == "leak-on-overwrite" else "also leaks"
        for x in f.exits:
            after = f" (after {x.branch})" if x.branch else ""
            lines.append(f"{relative(x.loc.file, result.root)}:{x.loc.line}:{x.loc.col}: note: {verb} at line "
                         f"{x.loc.line}{after}")
    for u in result.unexplained:
        where = f"{relative(u.loc.file, result.root)}:{u.loc.line}:{u.loc.col}" if u.loc else "<profile>"
        lines.append(f"{where}: note: unexplained heap growth of {human_bytes(u.stack.bytes)} under "
                     f"{u.function}() [unexplained-growth]")
    lines += _workflow_lines(result)
    s = result.stats
    exits = sum(f.exit_count for f in result.findings)
    covered = f" ({exits} leaking exits)" if exits > len(result.findings) else ""
    lines.append(f"leakscan: {len(result.findings)} finding(s){covered} in {s.functions} function(s), {s.tus} TU(s)"
                 f"{f' of {s.files} file(s)' if s.files and s.files < s.tus else ''}"
                 f"{f', {s.degraded_tus} degraded' if s.degraded_tus else ''}"
                 f"{f', {s.failed_tus} failed' if s.failed_tus else ''}"
                 f"{f', {s.over_budget} over the path budget' if s.over_budget else ''}"
                 f", {s.seconds:.2f}s{_workflow_summary(result)}")
    return terminal_safe("\n".join(lines) + "\n")


def _where(s: Suppression, root: str) -> str:
    rules = ",".join(s.rule_ids) or "*"
    if s.kind == "inline":
        return f"leakscan-ignore[{rules}] at {relative(s.file, root)}:{s.line}"
    what = " ".join(x for x in (f"rule {rules}", f"path {s.path}" if s.path else "",
                                f"function {s.function}" if s.function else "") if x)
    return f"{relative(s.file, root)}:{s.line} ({what})"


def _workflow_lines(result: AnalysisResult) -> list[str]:
    root = result.root
    lines = []
    for sf in result.suppressed:
        f, s = sf.finding, sf.suppression
        reason = f": {s.reason}" if s.reason else ""
        lines.append(f"{relative(f.loc.file, root)}:{f.loc.line}:{f.loc.col}: note: suppressed by {_where(s, root)}"
                     f"{reason}: {f.message} in {f.function}() [{f.rule_id}]")
    for s in result.workflow.stale_suppressions:
        lines.append(f"{relative(s.file, root)}:{s.line}: warning: stale suppression: {_where(s, root)} matches no "
                     "finding")
    for e in result.workflow.fixed:
        lines.append(f"{e.file}:{e.line}: note: fixed since the baseline: {e.message or e.rule_id} in {e.function}() "
                     f"[{e.rule_id}]")
    return lines


def _workflow_summary(result: AnalysisResult) -> str:
    w = result.workflow
    parts = []
    if w.baseline:
        new = sum(1 for f in result.findings if f.baseline_state == "new")
        parts.append(f"{new} new, {len(result.findings) - new} unchanged, {len(w.fixed)} fixed against "
                     f"{os.path.basename(w.baseline)}")
    if result.suppressed or w.stale_suppressions:
        parts.append(f"{len(result.suppressed)} suppressed" + (f" ({len(w.stale_suppressions)} stale "
                                                              "suppression(s))" if w.stale_suppressions else ""))
    if w.diff_base:
        parts.append(f"{w.outside_diff} left out: not touching lines changed since {w.diff_base}")
    return "".join(f"; {p}" for p in parts)
