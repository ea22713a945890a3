"""Pure text renderers for `leakscan profile show|diff` (data in, str out; no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.profiles.aggregate import (
    Row,
    function_rows,
    pick_metric,
    site_totals,
    stack_totals,
)
from analyzer.profiles.diff import ProfileDiff
from analyzer.profiles.growth import GrowthScore
from analyzer.profiles.model import Frame, Profile, Value


def _num(v: Value) -> str:
    return str(int(v)) if isinstance(v, float) else str(v)


def _pct(v: Value, total: Value) -> str:
    return f"{100.0 * v / total:6.1f}%" if total else "    -  "


def _site(fr: Frame) -> str:
    where = f" {fr.file}:{fr.line}" if fr.file else ""
    return f"{fr.function}{where}"


def _header(p: Profile) -> list[str]:
    types = ", ".join(f"{vt.type}/{vt.unit}" for vt in p.sample_types)
    out = [f"{p.source_path}: {p.source_format}, {len(p.samples)} stacks ({types})"]
    if p.sampling_rate:
        out.append(f"sampled every {p.sampling_rate} bytes; values are un-sampled estimates")
    out += [f"warning: {w}" for w in p.warnings]
    return out


def function_table(rows: Sequence[Row], total: Value, top: int) -> list[str]:
    out = [f"{'flat':>12} {'flat%':>7} {'cum':>12} {'cum%':>7}  function"]
    for r in [r for r in rows if r.flat or r.cum][:top]:
        where = f" {r.where}" if r.where else ""
        out.append(f"{_num(r.flat):>12} {_pct(r.flat, total)} {_num(r.cum):>12} "
                   f"{_pct(r.cum, total)}  {r.name}{where}")
    return out


def render_show(p: Profile, top: int = 10) -> str:
    out = _header(p)
    metrics = [m for m in ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects")
               if pick_metric(p, m) >= 0]
    shown: set[int] = set()
    for m in metrics:
        i = pick_metric(p, m)
        if i in shown:
            continue
        shown.add(i)
        vt = p.sample_types[i]
        stacks = stack_totals(p, i)
        total = sum(stacks.values())
        out += ["", f"== {vt.type} ({vt.unit}): total {_num(total)}", "",
                f"Top {top} functions:"]
        out += function_table(function_rows(stacks.items()), total, top)
        out += ["", f"Top {top} allocation sites:", f"{'value':>12} {'%':>7}  site"]
        sites = sorted(site_totals(stacks.items()).items(), key=lambda kv: (-kv[1], kv[0]))
        for site, v in [kv for kv in sites if kv[1]][:top]:
            out.append(f"{_num(v):>12} {_pct(v, total)}  {_site(site)}")
    return "\n".join(out) + "\n"


def render_diff(d: ProfileDiff, base: Profile, new: Profile, top: int = 10) -> str:
    out = [f"base: {base.source_path} ({base.source_format})",
           f"new:  {new.source_path} ({new.source_format})"]
    out += [f"warning: {w}" for w in (*base.warnings, *new.warnings, *d.warnings)]
    out += ["", f"== {d.metric} ({d.unit}): base {_num(d.base_total)}, new {_num(d.new_total)}, "
            f"change {_num(d.delta_total)}", "",
            f"Top {top} allocation sites by growth:",
            f"{'change':>12} {'base':>12} {'new':>12}  site"]
    for s in [s for s in d.sites if s.delta][:top]:
        out.append(f"{_num(s.delta):>12} {_num(s.base):>12} {_num(s.new):>12}  {_site(s.site)}")
    out += ["", f"Top {top} functions (change, as pprof --base):"]
    out += function_table(d.function_rows(), d.delta_total, top)
    return "\n".join(out) + "\n"


def _slope(v: float, timed: bool) -> str:
    return f"{v:18.0f}" if timed else f"{v:18.6g}"


def render_growth(scores: Sequence[GrowthScore], top: int = 10, step: str = "snapshot") -> str:
    """`step` names the x unit of untimed series: snapshots, or a recorder's own clock (instructions)."""
    timed = bool(scores) and scores[0].per_hour is not None
    rate = "per hour" if timed else f"per {step}"
    out = [f"Top {top} growing allocation sites ({len(scores[0].values) if scores else 0} "
           f"snapshots; score = fitted growth x R^2):",
           f"{'score':>12} {'R^2':>5} {'slope ' + rate:>18} {'first':>12} {'last':>12}  site"]
    for g in [g for g in scores if g.score > 0][:top]:
        slope = g.per_hour if g.per_hour is not None else g.slope
        out.append(f"{g.score:12.0f} {g.r2:5.2f} {_slope(slope, timed)} {g.values[0]:12.0f} "
                   f"{g.values[-1]:12.0f}  {_site(g.site)}")
    return "\n".join(out) + "\n"
