"""SARIF 2.1.0 (a fixed contract: ruleIds, rank-ordered results, properties rank/evidence/growth*)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from analyzer.model import RULES, AnalysisResult, Finding, GrowthStack, PathEvent, SourceLoc

from .paths import relative

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "SRCROOT"


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
        "properties": {
            "rank": rank,
            "evidence": evidence.status if evidence else "static-only",
            "growthBytes": int(evidence.growth_bytes) if evidence else 0,
            "growthObjects": int(evidence.growth_objects) if evidence else 0,
            "resourceKind": f.resource_kind,
            "function": f.function,
            "acquirer": f.acquirer,
            "confidence": f.confidence,
            "ruleSource": f.rule_source,
        },
    }
    if evidence is not None and evidence.per_hour is not None:
        res["properties"]["growthPerHour"] = round(evidence.per_hour)
    if evidence is not None and evidence.verdict:
        res["properties"]["growthVerdict"] = evidence.verdict  # growing | plateaued | flat (3+ snapshots)
    flows = [_thread_flow(path, root) for path in (f.path, *(x.path for x in f.exits)) if path]
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
    for i, loc in enumerate(related, 1):
        loc["id"] = i
    if related:
        res["relatedLocations"] = related
    return res


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
    rules: list[dict[str, Any]] = [{"id": str(k.rule_id), "name": k.sarif_name, "shortDescription": {"text": k.title},
              "fullDescription": {"text": k.help or k.title},
              "defaultConfiguration": {"level": k.level}} for k in RULES.values()]
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    ordered = sorted(result.findings, key=lambda f: (f.rank or 1 << 30, f.loc.file, f.loc.line, f.rule_id))
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
    notifications = [{"level": d.severity if d.severity in ("note", "error") else "warning",
                      "message": {"text": d.message},
                      "locations": [_location(SourceLoc(d.file, d.line), result.root)]}
                     for d in result.diagnostics]
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
