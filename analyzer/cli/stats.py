"""`--stats`: where a scan's time went, and how much the cache saved."""
from __future__ import annotations

from analyzer.pipeline import Timings


def format_stats(t: Timings, total: float, after: float, report: float) -> str:
    """`after`: set-up (configuration, the host compiler's search list) and, after the analysis, correlation,
    baseline and suppressions, checked fixes; `report`: writing the outputs."""
    p1 = t.phase1
    lines = [
        f"leakscan: time: {total:.2f} s in all",
        f"  parse+lower (wall)   {p1.wall_seconds:8.2f} s   summed over workers: libclang parse "
        f"{p1.clang_seconds:.2f} s, walk/lower {p1.lower_seconds:.2f} s",
        f"  merge                {t.merge:8.2f} s",
        f"  rules and inference  {t.rules:8.2f} s",
        f"  summaries+dataflow   {t.analysis:8.2f} s   ({t.functions} functions)",
        f"  checks               {t.checks:8.2f} s",
        f"  set-up, fixes...     {after:8.2f} s   (set-up, correlation, baseline, suppressions, checked fixes)",
        f"  report               {report:8.2f} s",
    ]
    c = p1.cache
    if c is None:
        lines.append("  cache: off")
    else:
        lines.append(f"  cache: {c.hits} hit(s), {c.misses} miss(es), {c.rejected} entry(ies) not trusted, "
                     f"{c.written} written, {c.not_written} not kept")
    if (r := t.reuse) is not None:
        lines.append(f"  phase 2: {r.reused} function result(s) reused, {r.analyzed} analyzed"
                     + (" (the last scan's results were damaged: not trusted)" if r.rejected else ""))
    return "\n".join(lines) + "\n"
