"""Score leakscan's findings on one program against what LeakSanitizer saw on every input.

From an allocation stack to the site leakscan would report. leakscan names a leak by the acquiring call in the
function that lost the resource; for a wrapper or a function returning an owned pointer that is the call of the
wrapper, not the `malloc` inside it. LSan gives the whole stack: innermost program frame first (the call of
malloc/calloc/strdup/realloc), then its callers. The judge walks it outwards while the function of the current
frame hands that site's object to its caller (by return, out-parameter or a field of the caller's struct, as
recorded by the generator's interpreter): the frames walked form the leak's *ownership chain*. Every site of the
chain acquired the very object that leaked, so a leakscan finding whose (function, acquire line) is one of them
names that leak. LSan cannot tell which function of the chain dropped it; the judge does not pretend to.

What the judge can see: heap blocks (malloc family, and the program's wrappers, pairs and constructors built on
them). Not FILE* (glibc keeps open streams on a list, so they stay reachable) nor descriptors (no heap block), and
nothing that happens only when an allocation fails (allocations never fail in these runs). Findings about those
are counted apart as *unjudgeable*, never as confirmed nor as false positives. A chain through a call by function
pointer is labelled *beyond static view*: counted apart, not in recall.

Scoring: every distinct chain of a *direct* leak (an indirect leak is only reachable from another leaked block and
follows from that one) must carry a leakscan leak finding (recall); every leakscan finding must name a site on the
chain of some leak LSan saw, direct or indirect, on some input (else a false positive).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .leakscan_cli import LEAK_RULES, Finding, ScanResult
from .program import LSAN_VISIBLE
from .sanitizer import Leak, RunResult
from .sidecar import Sidecar

_ASSUMING = re.compile(r"assuming '(.+)' is (true|false)")


@dataclass(frozen=True)
class Chain:
    sites: tuple[str, ...]  # innermost first
    visible: bool


@dataclass
class LeakUnit:
    chain: list[str]
    visible: bool
    found: bool
    signature: str  # shape signature of the outermost site (where the object ended up)
    chain_signatures: list[str]
    inputs: list[list[int]]
    matched_by: list[str] = field(default_factory=list)


@dataclass
class JudgedFinding:
    rule_id: str
    function: str
    line: int
    acquire_line: int | None
    acquirer: str
    site: str | None
    verdict: str  # confirmed | false-positive | unjudgeable:<why>
    signature: str
    message: str


@dataclass
class Verdict:
    units: list[LeakUnit]
    findings: list[JudgedFinding]
    errors: list[str]

    def to_dict(self) -> dict:
        return {"units": [asdict(u) for u in self.units], "findings": [asdict(f) for f in self.findings],
                "errors": self.errors}


def chain_of(leak: Leak, side: Sidecar) -> Chain | str:
    """The leak's ownership chain, or why there is none (a judge error: the stack names no known site)."""
    if not leak.frames:
        return "a leak with no frame in the program"
    sites: list[str] = []
    for fr in leak.frames:
        key = side.site_at(fr.func, fr.line)
        if key is None:
            if not sites:
                return f"leak allocated at {fr.func}:{fr.line}, which is no acquisition site"
            return f"{sites[-1]} is handed out to {fr.func}:{fr.line}, which is no acquisition site"
        sites.append(key)
        if not side.hands_out(fr.func, key):
            break
    visible = not any(side.site(k)["kind"] == "indirect" for k in sites)
    return Chain(tuple(sites), visible)


def chain_signature(side: Sidecar, sites: tuple[str, ...] | list[str]) -> str:
    """The shape a leak is grouped under: that of the outermost site of its chain (where the object ended up)."""
    top = side.site(sites[-1])
    if top["kind"] == "ctxfill" and len(sites) > 1:  # stored into the caller's context by the callee
        return f"ctxfill({side.site(sites[-2])['signature']})"
    return top["signature"]


def _norm(expr: str) -> str:
    expr = expr.replace(" ", "")
    while expr.startswith("(") and expr.endswith(")"):
        expr = expr[1:-1]
    return expr


def _negation(cond: str) -> str:
    if cond.startswith("!"):
        return cond[1:]
    for a, b in (("<0", ">=0"), ("!=0", "==0"), ("==NULL", "!=NULL")):
        if cond.endswith(a):
            return cond[: -len(a)] + b
    return "!" + cond


def on_failure_path(f: Finding, side: Sidecar) -> bool:
    """Does the finding's path exit through, or assume, an allocation failure? No run of ours can confirm it."""
    if f.line in side.failure_lines:
        return True
    if f.rule_id == "leak-on-overwrite" and f.line in side.realloc_self_lines:
        return True  # `p = realloc(p, n)` loses the old block only when realloc fails
    checks = side.failure_checks
    for b in f.branches:
        if b.line not in checks:
            continue
        m = _ASSUMING.search(b.message)
        if not m:
            continue
        expr, truth = _norm(m.group(1)), m.group(2) == "true"
        cond = _norm(checks[b.line])
        if (expr == cond and truth) or (expr == _negation(cond) and not truth):
            return True
    return False


def judge(side: Sidecar, runs: list[RunResult], scan: ScanResult) -> Verdict:
    errors: list[str] = []
    direct: dict[tuple[str, ...], tuple[Chain, list[list[int]]]] = {}
    on_some_chain: set[str] = set()
    for run in runs:
        for leak in run.leaks:
            chain = chain_of(leak, side)
            if isinstance(chain, str):
                errors.append(f"inputs {list(run.inputs)}: {chain}")
                continue
            on_some_chain.update(chain.sites)
            if leak.direct:
                entry = direct.setdefault(chain.sites, (chain, []))
                if len(entry[1]) < 5 and list(run.inputs) not in entry[1]:
                    entry[1].append(list(run.inputs))

    leak_findings = [f for f in scan.findings if f.rule_id in LEAK_RULES]
    findings: list[JudgedFinding] = []
    for f in scan.findings:
        key = _site_of(f, side)
        sig = side.site(key)["signature"] if key else "not-an-acquisition-site"
        visible_kind = key is None or LSAN_VISIBLE.get(side.site(key)["cls"], True)
        if f.rule_id not in LEAK_RULES:
            # ASan saw no double free or use after free on any input; it does not watch fclose/close at all
            verdict = "false-positive" if visible_kind else "unjudgeable:not-heap"
        elif key is not None and key in on_some_chain:
            verdict = "confirmed"
        elif not visible_kind:
            verdict = "unjudgeable:not-heap"
        elif on_failure_path(f, side):
            verdict = "unjudgeable:allocation-failure"
        else:
            verdict = "false-positive"
        findings.append(JudgedFinding(f.rule_id, f.function, f.line, f.acquire_line, f.acquirer, key, verdict,
                                      f"{f.rule_id}: {sig}", f.message))

    units = []
    for sites, (chain, inputs) in sorted(direct.items()):
        matched = [f"{f.rule_id}@{f.function}:{f.line}" for f in leak_findings if _site_of(f, side) in sites]
        units.append(LeakUnit(list(sites), chain.visible, bool(matched), chain_signature(side, sites),
                              [side.site(k)["signature"] for k in sites], inputs, matched))
    return Verdict(units, findings, errors)


def _site_of(f: Finding, side: Sidecar) -> str | None:
    """The acquisition site a finding is about: on its acquire line in the function it names, or the one site on
    that line (a member never released is reported in the destructor or release function, not where the block
    was made)."""
    if not f.acquire_line:
        return None
    return side.site_at(f.function, f.acquire_line) or side.site_on_line(f.acquire_line)
