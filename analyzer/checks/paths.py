"""A defect of the dataflow as a finding: its path messages, the expected release and the confidence."""
from __future__ import annotations

from analyzer import ir
from analyzer.analysis.dataflow import Defect
from analyzer.analysis.summaries import Resolver
from analyzer.model import Finding, PathEvent, RuleId, SourceLoc


def sloc(loc: ir.Loc) -> SourceLoc:
    return SourceLoc(loc.file, loc.line, loc.col)


def _path(d: Defect, var: str) -> tuple[PathEvent, ...]:
    events: list[PathEvent] = []
    name = f"'{var}'" if var else "the resource"
    for step in d.trail:
        if step.kind == "acquire":
            msg = f"{name}: {step.message}" if var else step.message
        elif step.kind == "branch":
            msg = f"assuming {step.message}"
        elif step.kind == "exit":
            msg = f"{name} {step.message}"
        else:
            msg = step.message
        events.append(PathEvent(sloc(step.loc), msg, step.kind))
    if not events or events[0].kind != "acquire":
        events.insert(0, PathEvent(sloc(d.resource.loc), f"{d.resource.kind} acquired by {d.resource.acquirer}()",
                                   "acquire"))
    if d.rule_id == "leak-on-overwrite" and events[-1].kind != "overwrite":
        events.append(PathEvent(sloc(d.loc), f"{name} is overwritten while still owned", "overwrite"))
    # keep the path readable: collapse runs of identical branch notes from loops
    out: list[PathEvent] = []
    for ev in events:
        if out and ev == out[-1]:
            continue
        out.append(ev)
    return tuple(out[-40:]) if len(out) > 40 else tuple(out)


def confidence_of(d: Defect, resolver: Resolver) -> str:
    source = d.resource.source
    if source.startswith(("builtin:", "rules:", "cppcheck:", "attribute:")):
        return "high"  # configuration: written by people
    if source.startswith(("summary:", "member:", "inferred:")):
        return "medium"  # learned from the code
    return "low"


def defect_finding(d: Defect, fn: ir.Function, resolver: Resolver, over_budget: bool = False) -> Finding:
    return Finding(
        rule_id=RuleId(d.rule_id), resource_kind=d.resource.kind, function=fn.qualname, loc=sloc(d.loc),
        acquire=sloc(d.resource.loc), acquirer=d.resource.acquirer, var=d.var, releaser=d.releaser,
        expected=resolver.expected_release(d.resource.kind, d.resource.acquirer), path=_path(d, d.var),
        confidence=confidence_of(d, resolver), rule_source=d.resource.source, function_usr=fn.usr,
        function_span=(fn.loc.line, fn.end_line), over_budget=over_budget)
