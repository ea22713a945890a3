"""Compiler-style text: `file:line:col: warning: message [ruleId]` with the path as notes."""
from __future__ import annotations

from analyzer.model import AnalysisResult, Evidence, human_bytes
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
        lines.append(f"{relative(f.loc.file, result.root)}:{f.loc.line}:{f.loc.col}: {level}: "
                     f"{f.message} in {f.function}(){evidence} [{f.rule_id}]")
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
    s = result.stats
    exits = sum(f.exit_count for f in result.findings)
    covered = f" ({exits} leaking exits)" if exits > len(result.findings) else ""
    lines.append(f"leakscan: {len(result.findings)} finding(s){covered} in {s.functions} function(s), {s.tus} TU(s)"
                 f"{f' of {s.files} file(s)' if s.files and s.files < s.tus else ''}"
                 f"{f', {s.degraded_tus} degraded' if s.degraded_tus else ''}"
                 f"{f', {s.failed_tus} failed' if s.failed_tus else ''}, {s.seconds:.2f}s")
    return terminal_safe("\n".join(lines) + "\n")
