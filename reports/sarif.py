"""SARIF 2.1.0 (a fixed contract: ruleIds, rank-ordered results, properties rank/evidence/growth*), fit for GitHub
code scanning: relative URIs under %SRCROOT%, rule help and CWE help URIs, security-severity for the memory-safety
rules, baselineState, suppressions, and within GitHub's documented limits per run."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.model import (
    RULES,
    AnalysisResult,
    Finding,
    GrowthStack,
    PathEvent,
    RuleId,
    RuleInfo,
    SourceLoc,
    SuppressedFinding,
)

from .paths import relative

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "%SRCROOT%"
# GitHub code scanning's documented limits (per run; per result): it rejects a file over the first ones and keeps only
# part of what exceeds the others, so leakscan stays within what is kept
MAX_RESULTS = 25_000
MAX_RELATED_LOCATIONS = 100  # of at most 1,000 accepted
MAX_FLOW_LOCATIONS = 1_000  # thread flow locations per result, of at most 10,000 accepted
MAX_TAGS = 10  # per rule, of at most 20 accepted
CWE_URI = "https://cwe.mitre.org/data/definitions/{}.html"


@dataclass(frozen=True)
class RuleMeta:
    cwes: tuple[int, ...]
    security_severity: str = ""  # CVSS-like score GitHub shows as critical/high/medium/low; '' not a security rule
    fix: str = ""


RULE_META: dict[str, RuleMeta] = {
    RuleId.RESOURCE_LEAK: RuleMeta((772, 401), fix="Release the resource on every path before it becomes "
                                   "unreachable: before the early return, or by jumping to the function's cleanup "
                                   "label."),
    RuleId.LEAK_ON_OVERWRITE: RuleMeta((401, 772), fix="Release the old value before assigning the new one; for "
                                       "`p = realloc(p, n)`, keep the result in another variable and release `p` "
                                       "when it is NULL."),
    RuleId.UNUSED_ACQUIRE: RuleMeta((772,), fix="Keep the result and release it, or do not call the function."),
    RuleId.MEMBER_NOT_RELEASED: RuleMeta((401,), fix="Release the member in the destructor."),
    RuleId.DOUBLE_RELEASE: RuleMeta((415,), "9.3", "Remove the second release, or set the pointer to NULL after the "
                                                   "first."),
    RuleId.MISMATCHED_RELEASE: RuleMeta((762,), "7.5", "Release the resource with the function of its family "
                                                       "(malloc/free, new/delete, new[]/delete[], fopen/fclose)."),
    RuleId.USE_AFTER_RELEASE: RuleMeta((416,), "9.3", "Do not use the resource after releasing it."),
    RuleId.UNEXPLAINED_GROWTH: RuleMeta((), fix="Look at the allocation stack in the heap profiles."),
}


def _location(loc: SourceLoc, root: str, message: str | None = None) -> dict:
    rel = relative(loc.file, root)
    artifact: dict = {"uri": Path(rel).as_posix()}
    if not Path(rel).is_absolute():
        artifact["uriBaseId"] = ROOT
    else:
        artifact["uri"] = Path(rel).as_uri()
    region = {"startLine": max(loc.line, 1)}
    if loc.col > 0:
        region["startColumn"] = loc.col
    out: dict = {"physicalLocation": {"artifactLocation": artifact, "region": region}}
    if message:
        out["message"] = {"text": message}
    return out


def _thread_flow(path: tuple[PathEvent, ...], root: str) -> dict:
    if len(path) > MAX_FLOW_LOCATIONS:  # the acquisition and the exit matter most: keep both ends
        half = MAX_FLOW_LOCATIONS // 2
        path = path[:half] + path[-half:]
    return {"locations": [
        {"location": _location(ev.loc, root, ev.message),
         "importance": "essential" if ev.kind in ("acquire", "exit", "overwrite", "release") else "important",
         "executionOrder": n}
        for n, ev in enumerate(path, 1)]}


def _result(f: Finding, rank: int, root: str, rule_index: dict[str, int]) -> dict:
    rel = relative(f.loc.file, root)
    evidence = f.evidence
    res: dict = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index[f.rule_id],
        "level": f.level,
        "message": {"text": f"{f.message} in {f.function}()"},
        "locations": [_location(f.loc, root)],
        "partialFingerprints": {"leakscan/v1": f.fingerprint(rel)},
        "rank": float(f.score),  # §3.27.28: 0..100, higher is more relevant
        "properties": {
            "rank": rank,
            "evidence": evidence.status if evidence else "static-only",
            "growthBytes": int(evidence.growth_bytes) if evidence else 0,
            "growthObjects": int(evidence.growth_objects) if evidence else 0,
            "resourceKind": f.resource_kind,
            "function": f.function,
            "acquirer": f.acquirer,
            "confidence": f.confidence,
            "score": f.score,
            "scoreReasons": list(f.score_reasons),
            "ruleSource": f.rule_source,
        },
    }
    if evidence is not None and evidence.per_hour is not None:
        res["properties"]["growthPerHour"] = round(evidence.per_hour)
    if evidence is not None and evidence.verdict:
        res["properties"]["growthVerdict"] = evidence.verdict  # growing | plateaued | flat (3+ snapshots)
    flows = []
    budget = MAX_FLOW_LOCATIONS
    for path in (f.path, *(x.path for x in f.exits)):
        if path and budget > 0:
            flows.append(_thread_flow(path[:budget] if len(path) > budget else path, root))
            budget -= len(flows[-1]["locations"])
    if flows:
        # §3.36 codeFlows -> threadFlows -> threadFlowLocations: one thread flow per leaking exit, shortest first
        res["codeFlows"] = [{"threadFlows": flows}]
    related = []
    if f.acquire is not None:
        related.append(_location(f.acquire, root, f"acquired by {f.acquirer}()"))
    if f.exits:
        verb = "overwritten" if f.rule_id == "leak-on-overwrite" else "leaks"
        related += [_location(loc, root, f"{verb} here (exit {n} of {f.exit_count})")
                    for n, loc in enumerate((f.loc, *(x.loc for x in f.exits)), 1)]
    res["properties"]["leakingExits"] = f.exit_count
    if evidence is not None:
        for stack in evidence.stacks[:5]:
            related.extend(_stack_locations(stack, root))
    related = related[:MAX_RELATED_LOCATIONS]
    for i, loc in enumerate(related, 1):
        loc["id"] = i
    if related:
        res["relatedLocations"] = related
    if f.baseline_state:
        res["baselineState"] = f.baseline_state
    return res


def _suppressed(sf: SuppressedFinding, root: str, rule_index: dict[str, int]) -> dict:
    res = _result(sf.finding, 0, root, rule_index)
    del res["properties"]["rank"]
    s = sf.suppression
    suppression: dict[str, Any] = {"kind": "inSource" if s.kind == "inline" else "external", "status": "accepted",
                                   "justification": s.reason or "(no reason given)"}
    if s.kind == "inline" or os.path.isfile(s.file):
        suppression["location"] = _location(SourceLoc(s.file, s.line), root)
    res["suppressions"] = [suppression]
    return res


def _rule(k: RuleInfo) -> dict[str, Any]:
    meta = RULE_META.get(k.rule_id, RuleMeta(()))
    tags = ["reliability", *(["security"] if meta.security_severity else []),
            *(f"external/cwe/cwe-{c}" for c in meta.cwes)][:MAX_TAGS]
    cwe_text = ", ".join(f"[CWE-{c}]({CWE_URI.format(c)})" for c in meta.cwes)
    markdown = (f"**{k.title}**: {k.help or k.title}\n\n{meta.fix}\n\n"
                + (f"See {cwe_text}.\n\n" if cwe_text else "")
                + f"To silence one finding after review, put `// leakscan-ignore[{k.rule_id}]: reason` on its line "
                  "or the line above, or list it in a suppression file.")
    rule: dict[str, Any] = {
        "id": str(k.rule_id), "name": k.sarif_name, "shortDescription": {"text": k.title},
        "fullDescription": {"text": k.help or k.title}, "defaultConfiguration": {"level": k.level},
        "help": {"text": f"{k.help or k.title} {meta.fix}".strip(), "markdown": markdown},
        "properties": {"tags": tags, "precision": "high" if k.level != "note" else "medium",
                       "problem.severity": {"error": "error", "note": "recommendation"}.get(k.level, "warning")},
    }
    if meta.cwes:
        rule["helpUri"] = CWE_URI.format(meta.cwes[0])
    if meta.security_severity:
        rule["properties"]["security-severity"] = meta.security_severity
    return rule


def _fixed(result: AnalysisResult, rule_index: dict[str, int]) -> list[dict]:
    """The baseline's findings not found any more, as SARIF `absent` results."""
    out = []
    for e in result.workflow.fixed:
        res: dict[str, Any] = {"ruleId": e.rule_id, "level": "none", "baselineState": "absent",
                               "message": {"text": f"{e.message or e.rule_id} in {e.function}() (fixed since the "
                                                   "baseline)"},
                               "partialFingerprints": {"leakscan/v1": e.fingerprint},
                               "properties": {"function": e.function}}
        if e.rule_id in rule_index:
            res["ruleIndex"] = rule_index[e.rule_id]
        if e.file:
            path = e.file if os.path.isabs(e.file) else os.path.join(result.root, e.file)
            res["locations"] = [_location(SourceLoc(path, max(e.line, 1)), result.root)]
        out.append(res)
    return out


def _stale(result: AnalysisResult) -> list[dict]:
    out = []
    for s in result.workflow.stale_suppressions:
        what = f"leakscan-ignore[{','.join(s.rule_ids) or '*'}]" if s.kind == "inline" else "suppression file entry"
        out.append({"level": "warning", "descriptor": {"id": "stale-suppression"},
                    "message": {"text": f"stale suppression: {what} matches no finding"},
                    "locations": [_location(SourceLoc(s.file, max(s.line, 1)), result.root)]})
    return out


def _stack_locations(stack: GrowthStack, root: str, limit: int = 8) -> list[dict]:
    """The project call sites of a profile stack (frames in files under the root), leaf first."""
    out = []
    for frame in stack.frames:
        if not (frame.file and frame.line) or os.path.isabs(relative(frame.file, root)):
            continue  # system headers, libc sources, other machines' paths
        out.append(_location(SourceLoc(frame.file, frame.line), root,
                             f"heap growth {stack.bytes} B via {frame.function}"))
        if len(out) == limit:
            break
    return out


def render_sarif(result: AnalysisResult) -> str:
    from analyzer import __version__
    rules: list[dict[str, Any]] = [_rule(k) for k in RULES.values()]
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    ordered = sorted(result.findings, key=Finding.sort_key)
    results = [_result(f, n, result.root, rule_index) for n, f in enumerate(ordered, 1)]
    for u in result.unexplained:
        n = len(results) + 1
        res = {"ruleId": "unexplained-growth", "ruleIndex": rule_index["unexplained-growth"], "level": "note",
               "message": {"text": f"heap growth of {u.stack.bytes} bytes under {u.function}() that no "
                                   "static finding explains"},
               "properties": {"rank": n, "evidence": "unexplained-growth", "growthBytes": int(u.stack.bytes),
                              "growthObjects": int(u.stack.objects), "candidates": list(u.candidates)}}
        if u.loc is not None:
            res["locations"] = [_location(u.loc, result.root)]
        related = _stack_locations(u.stack, result.root)
        for i, loc in enumerate(related, 1):
            loc["id"] = i
        if related:
            res["relatedLocations"] = related
        results.append(res)
    results += [_suppressed(sf, result.root, rule_index) for sf in result.suppressed]
    results += _fixed(result, rule_index)
    notifications = [{"level": d.severity if d.severity in ("note", "error") else "warning",
                      "message": {"text": d.message},
                      "locations": [_location(SourceLoc(d.file, d.line), result.root)]}
                     for d in result.diagnostics]
    notifications += _stale(result)
    if len(results) > MAX_RESULTS:
        notifications.append({"level": "warning", "message": {
            "text": f"{len(results) - MAX_RESULTS} result(s) of lowest rank left out: GitHub code scanning accepts "
                    f"at most {MAX_RESULTS} per run"}})
        results = results[:MAX_RESULTS]
    run = {
        "tool": {"driver": {"name": "leakscan", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "originalUriBaseIds": {ROOT: {"uri": Path(result.root).as_uri() + "/"}},
        "results": results,
        "invocations": [{"executionSuccessful": result.stats.failed_tus == 0,
                         "toolExecutionNotifications": notifications}],
        "properties": {"stats": {"files": result.stats.files, "tus": result.stats.tus,
                                 "degradedTus": result.stats.degraded_tus, "failedTus": result.stats.failed_tus,
                                 "functions": result.stats.functions}},
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=1) + "\n"
