"""The index and finding-page view models built from an analysis result."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from analyzer.codec import to_plain
from analyzer.model import RULES, AnalysisResult, Finding, InferredPair, PathEvent, human_bytes
from analyzer.sourcetext import split_lines
from reports.html.chart import finding_chart, timeline_chart
from reports.html.graph import layout_graphs, link_graph
from reports.html.growth import growth_view, stack_view
from reports.html.model import Bubble, ExitView, GraphView, Page, Report, Row
from reports.html.source import SourceCache, SourceReader, display_path, source_view
from reports.patch import unified_patch


def build_report(result: AnalysisResult, reader: SourceReader, single_file: bool) -> Report:
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    snapshots = _snapshot_count(result.profiles)
    rows = [_row(n, f, result.root, snapshots, single_file) for n, f in enumerate(findings, 1)]
    texts = SourceCache(result.root, reader)
    layouts = layout_graphs(result.graphs, {f.function_usr for f in findings})
    fixes = [_fix_for(f, reader, result.root) for f in findings]
    pages = [_page(i, f, rows, result, texts, layouts, fixes[i], single_file)
             for i, f in enumerate(findings)]
    confirmed = [f for f in findings if f.evidence and f.evidence.status == "confirmed"]
    headline = ""
    if confirmed:
        grown = sum(f.evidence.growth_bytes for f in confirmed if f.evidence)
        headline = (f"{len(confirmed)} of {len(findings)} findings confirmed by heap growth: "
                    f"{human_bytes(grown)}{_over(snapshots)}")
    ranking = sorted((r for r, f in zip(rows, findings, strict=True) if f.evidence),
                     key=lambda r: (r.evidence != "confirmed", -r.growth, r.n))
    stats = result.stats
    summary = [
        ("Findings", str(len(findings))),
        ("Files", str(stats.files)),
        ("Translation units", str(stats.tus)),
        ("Degraded TUs", str(stats.degraded_tus)),
        ("Failed TUs", str(stats.failed_tus)),
        ("Functions", str(stats.functions)),
        ("Scan time", f"{stats.seconds:.1f} s"),
        ("Rule files", str(len(stats.rules))),
        ("Inferred pairs", str(stats.inferred_pairs or len(result.pairs))),
    ]
    columns, pair_rows = _pairs_table(result.pairs)
    by_rank = {f.rank: (rows[i].n, rows[i].href) for i, f in enumerate(findings) if f.rank}
    chart = timeline_chart(result.timeline, by_rank, lambda path: display_path(path, result.root))
    return Report(
        title="leakscan report", timestamp=result.timestamp, tool_version=result.tool_version,
        root=result.root, summary=summary, rules=list(stats.rules), pairs_columns=columns,
        pairs=pair_rows, profiles=[_plain_items(p) for p in result.profiles],
        diagnostics=[(f"{d.file}:{d.line}" if d.line else d.file, d.severity, d.message)
                     for d in result.diagnostics],
        rows=rows, filters=_filters(rows), headline=headline, ranking=ranking,
        growth=growth_view(result, findings, rows), pages=pages,
        patch=unified_patch(result.patch, reader, result.root), single_file=single_file,
        index_href="#top" if single_file else "index.html", chart=chart, **_workflow_view(result))


def _workflow_view(result: AnalysisResult) -> dict[str, Any]:
    """The baseline classification, the diff base, suppressed findings and stale suppressions."""
    w = result.workflow
    summary = []
    if w.baseline:
        new = sum(1 for f in result.findings if f.baseline_state == "new")
        summary += [("Baseline", w.baseline), ("New", str(new)), ("Unchanged", str(len(result.findings) - new)),
                    ("Fixed", str(len(w.fixed)))]
    if w.diff_base:
        summary += [("Changed since", w.diff_base), ("Outside the change", str(w.outside_diff))]
    if result.suppressed or w.stale_suppressions:
        summary += [("Suppressed", str(len(result.suppressed))), ("Stale suppressions", str(len(w.stale_suppressions)))]
    root = result.root
    suppressed = []
    for sf in result.suppressed:
        f, sup = sf.finding, sf.suppression
        how = (f"leakscan-ignore at {display_path(sup.file, root)}:{sup.line}" if sup.kind == "inline"
               else f"{display_path(sup.file, root)}:{sup.line}")
        suppressed.append((f"{display_path(f.loc.file, root)}:{f.loc.line}", str(f.rule_id), f.function,
                           _message(f), f"{sup.reason or '(no reason)'} — {how}"))
    stale = [(f"{display_path(sup.file, root)}:{sup.line}",
              f"leakscan-ignore[{','.join(sup.rule_ids) or '*'}]" if sup.kind == "inline" else
              f"[[suppress]] {' '.join(x for x in (','.join(sup.rule_ids), sup.path, sup.function) if x)}")
             for sup in w.stale_suppressions]
    fixed = [(f"{e.file}:{e.line}", e.rule_id, e.function, e.message) for e in w.fixed]
    return {"workflow": summary, "suppressed": suppressed, "stale": stale, "fixed": fixed}


def _row(n: int, f: Finding, root: str, snapshots: int, single_file: bool) -> Row:
    kind = RULES.get(f.rule_id)
    evidence = f.evidence.status if f.evidence else "none"
    growth = f.evidence.growth_bytes if f.evidence else 0
    if evidence == "confirmed":
        headline = f"confirmed by heap growth: {human_bytes(growth)}{_over(snapshots)}"
    elif f.evidence:
        headline = "static only: no heap growth observed at this site"
    else:
        headline = ""
    return Row(
        n=n, href=f"#finding-{n}" if single_file else f"finding-{n}.html", rule_id=f.rule_id,
        title=kind.title if kind else f.rule_id, level=f.level if kind else "warning", kind=f.resource_kind,
        file=display_path(f.loc.file, root), line=f.loc.line, function=f.function,
        message=_message(f), confidence=f.confidence, evidence=evidence, growth=growth,
        headline=headline, exits=f.exit_count, baseline=f.baseline_state)


def _message(f: Finding) -> str:
    try:
        return f.message
    except (KeyError, IndexError, ValueError):  # a rule id this version does not know
        return f"{f.rule_id}: {f.var or f.resource_kind}"


def _page(i: int, f: Finding, rows: list[Row], result: AnalysisResult, texts: SourceCache,
          layouts: dict[str, GraphView], fix: str | None, single_file: bool) -> Page:
    row = rows[i]
    prefix = f"f{row.n}-"
    events = _events(f)
    text = texts.get(f.loc.file)
    source, note = None, ""
    if text is None:
        note = f"The source file {row.file} could not be read."
    else:
        source = source_view(f, text, functools.partial(texts.highlighted, f.loc.file), events, prefix)
    shown = {b.number for block in (source.blocks if source else []) for line in block.lines
             for b in line.bubbles}
    event_rows = [(b, display_path(ev.loc.file, result.root), ev.loc.line, b.number in shown)
                  for b, ev in events]
    graph = layouts.get(f.function_usr)
    if graph is not None and source is not None:
        graph = link_graph(graph, prefix, source)
    label, value, pair, pair_evidence = _rule_source(f.rule_source, result.pairs)
    kind = RULES.get(f.rule_id)
    details = [("Rule", f.rule_id), ("Resource kind", f.resource_kind), ("Function", f.function),
               ("Location", f"{row.file}:{f.loc.line}" + (f":{f.loc.col}" if f.loc.col else ""))]
    if f.acquire:
        details.append(("Acquired", f"{display_path(f.acquire.file, result.root)}:{f.acquire.line}"
                        f" by {f.acquirer}()"))
    if f.var:
        details.append(("Variable", f.var))
    if f.expected:
        details.append(("Expected release", f"{f.expected}()"))
    if f.releaser and f.releaser != f.expected:
        details.append(("Released with", f"{f.releaser}()"))
    details.append(("Confidence", f.confidence))
    if f.score:
        details.append(("Score", f"{f.score}/100" + (f" ({'; '.join(f.score_reasons)})" if f.score_reasons else "")))
    if f.priority:
        details.append(("Priority", "low: lost only where the process ends"))
    if f.evidence:
        details.append(("Profile evidence", row.headline + (f" ({f.evidence.summary})"
                                                            if f.evidence.summary else "")))
    stacks = [stack_view(s, result.root) for s in (f.evidence.stacks if f.evidence else ())]
    prev_href = rows[i - 1].href if i > 0 else ""
    next_href = rows[i + 1].href if i + 1 < len(rows) else ""
    return Page(row=row, filename=f"finding-{row.n}.html", prefix=prefix, finding=f,
                details=details, rule_label=label, rule_value=value, pair=pair, pair_evidence=pair_evidence,
                help=kind.help if kind else "", events=event_rows, source=source,
                source_note=note, graph=graph, fix=_diff_lines(fix), stacks=stacks, exits=_exit_views(f, result.root),
                prev_href=prev_href, next_href=next_href,
                chart=finding_chart(f.evidence, result.timeline, lambda path: display_path(path, result.root)))


def _exit_views(f: Finding, root: str) -> list[ExitView]:
    if not f.exits:
        return []
    paths = [(f.loc, "", f.path), *((x.loc, x.branch, x.path) for x in f.exits)]
    return [ExitView(n, display_path(loc.file, root), loc.line, branch,
                     [(k, display_path(ev.loc.file, root), ev.loc.line, ev.message) for k, ev in enumerate(path, 1)])
            for n, (loc, branch, path) in enumerate(paths, 1)]


def _events(f: Finding) -> list[tuple[Bubble, PathEvent]]:
    path = list(f.path)
    if not path:  # no recorded path: show where it was acquired and where it is reported
        if f.acquire:
            path.append(PathEvent(f.acquire, f"{f.acquirer or 'resource'}() acquires the {f.resource_kind}",
                                  "acquire"))
        path.append(PathEvent(f.loc, _message(f), "exit"))
    # the other exits on which the same resource is lost: marked on the code after the shortest path's events
    verb = "is also overwritten here" if f.rule_id == "leak-on-overwrite" else "also leaks here"
    for n, x in enumerate(f.exits, 2):
        after = f", after {x.branch}" if x.branch else ""
        path.append(PathEvent(x.loc, f"{verb} (exit {n} of {f.exit_count}{after})", "exit"))
    out = []
    for k, ev in enumerate(path, 1):
        kind = ev.kind if re.fullmatch(r"[a-z][a-z-]{0,20}", ev.kind or "") else "note"
        out.append((Bubble(k, kind, ev.message, 0, f"ev{k}", f"ev{k - 1}" if k > 1 else "",
                           f"ev{k + 1}" if k < len(path) else ""), ev))
    return out


_ORIGINS = {"builtin": "Built-in rule file", "rules": "Rule file", "user": "Rule file", "file": "Rule file",
            "cppcheck": "cppcheck library", "attribute": "Ownership attribute", "inferred": "Inferred pair"}


def _rule_source(source: str, pairs: Iterable[InferredPair]
                 ) -> tuple[str, str, list[tuple[str, str]], list[str]]:
    """How the resource kind was defined: (label, value, the pair's fields, the pair's evidence)."""
    parts = source.split(":")
    at = next((i for i, p in enumerate(parts) if p in _ORIGINS and i + 1 < len(parts)), None)
    if at is None:
        return "Defined by", source or "unknown", [], []
    origin, rest = parts[at], ":".join(parts[at + 1:])
    label = _ORIGINS[origin] + (f" ({', '.join(parts[:at])})" if at else "")
    if origin != "inferred":
        return label, rest, [], []
    names = [x for x in re.split(r"[/,]", rest) if x]
    for record in pairs:
        pair = to_plain(record)
        values = {str(v) for v in pair.values() if isinstance(v, (str, int))}
        if names and all(n in values for n in names):
            evidence = pair.get("evidence")
            lines = [str(x) for x in evidence] if isinstance(evidence, list) else []
            fields = [(k, v) for k, v in _plain_items(pair) if not (k == "evidence" and lines)]
            return label, rest, fields, lines
    return label, rest, [], []


def _diff_lines(diff: str | None) -> list[tuple[str, str]]:
    out = []
    for line in split_lines(diff or ""):
        line = line.rstrip("\r\n")
        if line.startswith(("---", "+++")):
            cls = "dh"
        elif line.startswith("@@"):
            cls = "dhunk"
        elif line.startswith("+"):
            cls = "dadd"
        elif line.startswith("-"):
            cls = "ddel"
        else:
            cls = "dctx"
        out.append((cls, line))
    return out


def _fix_for(f: Finding, reader: SourceReader, root: str) -> str | None:
    return unified_patch(f.fix.edits, reader, root) if f.fix else None


def _filters(rows: list[Row]) -> dict[str, list[str]]:
    return {
        "rule": sorted({r.rule_id for r in rows}),
        "kind": sorted({r.kind for r in rows}),
        "confidence": sorted({r.confidence for r in rows},
                             key=lambda c: ({"high": 0, "medium": 1, "low": 2}.get(c, 3), c)),
        "evidence": sorted({r.evidence for r in rows}),
        "baseline": sorted({r.baseline for r in rows if r.baseline}),
    }


def _pairs_table(records: Iterable[InferredPair]) -> tuple[list[str], list[list[str]]]:
    pairs = [to_plain(p) for p in records]
    preferred = ["acquirer", "create", "releaser", "destroy", "kind", "confidence", "evidence"]
    keys: list[str] = []
    for pair in pairs:
        for key in pair:
            if key not in keys:
                keys.append(str(key))
    columns = [k for k in preferred if k in keys] + sorted(k for k in keys if k not in preferred)
    rows = [[_plain(p.get(c, "")) for c in columns] for p in pairs]
    return columns, rows


def _plain_items(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), _plain(v)) for k, v in data.items()]


def _plain(value: Any, limit: int = 300) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, (int, bool)) or value is None:
        text = "" if value is None else str(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in value):
        text = "; ".join(str(x) for x in value)
    else:
        text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _snapshot_count(profiles: Iterable[dict[str, Any]]) -> int:
    """Heap snapshots behind the growth figures (leak reports are not snapshots)."""
    total = 0
    for p in profiles:
        if p.get("role", "heap snapshot") != "heap snapshot":
            continue
        for key in ("snapshots", "n_snapshots", "snapshot_count", "num_snapshots"):
            value = p.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                total += value
                break
            if isinstance(value, (list, tuple)) and value:
                total += len(value)
                break
        else:
            total += 1
    return total


def _over(snapshots: int) -> str:
    return f" over {_plural(snapshots, 'snapshot')}" if snapshots else " (leak reports)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
