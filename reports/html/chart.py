"""Growth over time as inline SVG (no script): bytes in use per snapshot, for the top sites or a finding's stacks."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

from analyzer.model import Evidence, GrowthTimeline, human_bytes
from reports.html.model import ChartLine, ChartView

_W, _H = 760.0, 260.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 74.0, 16.0, 12.0, 34.0
_COLOURS = 8  # ch-c0 .. ch-c7 in report.css

Shorten = Callable[[str], str]  # a source path as the report shows it


class _Series(NamedTuple):
    values: Sequence[int]
    cls: str
    label: str
    where: str
    growth: int
    per_hour: float | None
    verdict: str
    findings: list[tuple[int, str]]


def timeline_chart(timeline: GrowthTimeline | None, links: dict[int, tuple[int, str]],
                   root_short: Shorten) -> ChartView | None:
    """The index's chart: one line per top site; the sites behind findings drawn bold. `links`: a finding's
    rank -> its number and page in the report."""
    if timeline is None or len(timeline.points) < 2 or not timeline.sites:
        return None
    xs = [p.at for p in timeline.points]
    series = []
    for n, site in enumerate(timeline.sites):
        findings = [links[r] for r in site.findings if r in links]
        cls = f"ch-c{n % _COLOURS} " + ("ch-confirmed" if findings else "ch-other")
        where = f"{root_short(site.file)}:{site.line}" if site.file else ""
        series.append(_Series(site.series, cls, site.function, where, site.growth, site.per_hour, site.verdict,
                              findings))
    caption = (f"Bytes in use at each of {len(xs)} snapshots for the {len(series)} allocation sites that grew most; "
               "bold lines are sites behind findings.")
    return _chart(timeline, series, caption)


def finding_chart(evidence: Evidence | None, timeline: GrowthTimeline | None,
                  root_short: Shorten) -> ChartView | None:
    """A finding page's chart: its allocation stacks' bytes in use per snapshot, and their sum."""
    if evidence is None or timeline is None or len(timeline.points) < 2:
        return None
    if len(evidence.series) != len(timeline.points):
        return None
    series = []
    stacks = [s for s in evidence.stacks if len(s.series) == len(timeline.points)]
    if len(stacks) != 1:
        series.append(_Series(evidence.series, "ch-c0 ch-confirmed", "all stacks of this finding", "",
                              evidence.growth_bytes, evidence.per_hour, evidence.verdict, []))
    for n, s in enumerate(stacks, 1):
        site = next((f for f in s.frames if f.file), s.frames[0] if s.frames else None)
        where = f"{root_short(site.file)}:{site.line}" if site is not None and site.file else ""
        name = " ← ".join(_short_fn(f.function) + (f":{f.line}" if f.line else "") for f in s.frames[:3])
        cls = f"ch-c{n % _COLOURS} ch-other" if len(stacks) > 1 else "ch-c0 ch-confirmed"
        series.append(_Series(s.series, cls, name, where, s.series[-1] - s.series[0], None, "", []))
    caption = f"Bytes in use at each of {len(timeline.points)} snapshots of the allocation stacks behind this finding."
    chart = _chart(timeline, series, caption)
    chart.series_label = "Allocation stack (leaf first)"
    return chart


def _chart(timeline: GrowthTimeline, series: Sequence[_Series], caption: str) -> ChartView:
    xs = [p.at for p in timeline.points]
    top = max(max(s.values) for s in series) or 1
    y_ticks_v = _nice_ticks(top)
    y_max = y_ticks_v[-1]
    x0, x1 = xs[0], xs[-1]
    pw, ph = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def px(x: float) -> float:
        return round(_LEFT + (x - x0) / (x1 - x0) * pw, 1) if x1 > x0 else _LEFT

    def py(y: float) -> float:
        return round(_TOP + ph - y / y_max * ph, 1)

    lines = []
    for s in series:
        pts = [(px(x), py(v)) for x, v in zip(xs, s.values, strict=True)]
        dots = [(x, y, f"{s.label}: {human_bytes(v)} at {_x_text(timeline, i)}")
                for i, ((x, y), v) in enumerate(zip(pts, s.values, strict=True))]
        rate = "" if s.per_hour is None else f"{'+' if s.per_hour >= 0 else ''}{human_bytes(round(s.per_hour))}/h"
        lines.append(ChartLine(" ".join(f"{x},{y}" for x, y in pts), dots, s.cls, s.label, s.where, s.growth, rate,
                               s.verdict, s.findings))
    # Bold lines drawn last, on top of the others.
    lines.sort(key=lambda ln: "ch-confirmed" in ln.cls)
    y_ticks = [(py(v), human_bytes(round(v))) for v in y_ticks_v]
    return ChartView(_W, _H, _LEFT, _TOP, pw, ph, _x_ticks(timeline, px), y_ticks,
                     "time since the first snapshot" if timeline.wall_clock else "snapshot", lines, caption,
                     list(timeline.notes))


def _nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps up to at least `top`: 1, 2 or 5 times 1, 10 or 100 B, KiB, MiB, GiB or TiB."""
    raw = top / count
    steps = sorted(m * 10 ** e * 1024 ** k for k in range(5) for e in range(3) for m in (1, 2, 5))
    step = next((x for x in steps if x >= raw), steps[-1] * math.ceil(raw / steps[-1]))
    return [k * step for k in range(math.ceil(top / step) + 1)]


def _short_fn(name: str) -> str:
    """`ns::Class::method(args) const` -> `method`: the argument list found by its matching parenthesis."""
    text = name.strip()
    if text.endswith(" const"):
        text = text[: -len(" const")]
    if text.endswith(")"):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                text = text[:i] or text
                break
    return text.rsplit("::", 1)[-1] or name


def _x_ticks(timeline: GrowthTimeline, px: Callable[[float], float]) -> list[tuple[float, str]]:
    points = timeline.points
    picks = range(len(points)) if len(points) <= 8 else sorted({round(k * (len(points) - 1) / 6) for k in range(7)})
    return [(px(points[i].at), _x_text(timeline, i)) for i in picks]


def _x_text(timeline: GrowthTimeline, i: int) -> str:
    p = timeline.points[i]
    if not timeline.wall_clock:
        return f"#{p.at:g}"
    t = p.at
    if t < 120:
        return f"{t:.0f}s"
    if t < 7200:
        return f"{t / 60:.0f}m" if t % 60 < 1 or t >= 600 else f"{t / 60:.1f}m"
    return f"{t / 3600:.1f}h"
