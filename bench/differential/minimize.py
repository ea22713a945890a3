"""Shrink a program that shows a miss or a false positive to a small one that still shows it.

Greedy deletion over the generator's tree (statements, branches, loop trip counts, status checks), biggest first.
A candidate is kept when it is still safe on every input, the target sites still exist (statement ids are stable),
and the target still reproduces for real: for a miss, LSan still reports a direct leak with the same ownership
chain and leakscan still names none of its sites; for a false positive, leakscan still reports the same rule at the
same site and no run confirms it. Each check compiles, runs and scans, so the work is bounded by a time budget.
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .generate import Generator, finish
from .harness import Settings, write_program
from .interp import UndefinedBehaviour, all_inputs
from .judge import chain_of, chain_signature, judge
from .leakscan_cli import LEAK_RULES, scan
from .program import Bound, CallWorker, If, Loop, OutAcquire, Program, Return, Stmt
from .report import Summary
from .sanitizer import Sanitizer, ToolchainError
from .sidecar import Sidecar


@dataclass(frozen=True)
class Target:
    kind: str  # miss | fp
    sites: tuple[str, ...]  # the chain (miss) or the finding's site (fp)
    rule: str = ""

    def describe(self) -> str:
        return f"{self.kind} at {' > '.join(self.sites)}" + (f" ({self.rule})" if self.rule else "")


def regenerate(label: str) -> Program:
    prog = Generator(label).program()
    finish(prog)
    return prog


def _lists(prog: Program) -> Iterator[list[Stmt]]:
    for f in prog.funcs:
        yield from _lists_of(f.body)


def _child_lists(s: Stmt) -> list[list[Stmt]]:
    out = []
    for name in ("then", "els", "body", "on_fail"):
        v = getattr(s, name, None)
        if isinstance(v, list):
            out.append(v)
    return out


def _size(s: Stmt) -> int:
    return 1 + sum(_size(c) for lst in _child_lists(s) for c in lst)


def _edits(prog: Program) -> list[tuple[int, int, str]]:
    """(size, statement id, edit) candidates, biggest first."""
    out = []
    for f in prog.funcs:
        last = f.body[-1].id if f.body and isinstance(f.body[-1], Return) else None
        for lst in _lists_of(f.body):
            for s in lst:
                if s.id != last:
                    out.append((_size(s), s.id, "delete"))
                if isinstance(s, If):
                    out.append((_size(s), s.id, "then"))
                    if s.els is not None:
                        out.append((_size(s), s.id, "else"))
                        out.append((len(s.els), s.id, "drop-else"))
                if isinstance(s, Loop) and s.bound != Bound("const", 1):
                    out.append((1, s.id, "once"))
                if isinstance(s, (OutAcquire, CallWorker)) and s.on_fail is not None:
                    out.append((len(s.on_fail), s.id, "no-check"))
    return sorted(out, key=lambda e: (-e[0], e[1], e[2]))


def _lists_of(stmts: list[Stmt]) -> Iterator[list[Stmt]]:
    yield stmts
    for s in stmts:
        for child in _child_lists(s):
            yield from _lists_of(child)


def apply_edit(prog: Program, sid: int, edit: str) -> Program | None:
    new = copy.deepcopy(prog)
    for lst in _lists(new):
        for i, s in enumerate(lst):
            if s.id != sid:
                continue
            if edit == "delete":
                del lst[i]
            elif edit == "then" and isinstance(s, If):
                lst[i:i + 1] = s.then
            elif edit == "else" and isinstance(s, If):
                lst[i:i + 1] = s.els or []
            elif edit == "drop-else" and isinstance(s, If):
                s.els = None
            elif edit == "once" and isinstance(s, Loop):
                s.bound = Bound("const", 1)
            elif edit == "no-check" and isinstance(s, (OutAcquire, CallWorker)):
                s.on_fail = None
                if isinstance(s, OutAcquire):
                    s.failure_only = False
            else:
                return None
            return new
    return None


class _Checker:
    def __init__(self, target: Target, settings: Settings, folder: Path) -> None:
        self.target, self.settings, self.folder = target, settings, folder
        self.san = Sanitizer(settings.cache, settings.cc)
        self.checks = 0

    def holds(self, prog: Program) -> bool:
        self.checks += 1
        try:
            cov = finish(prog)
        except UndefinedBehaviour:
            return False
        if self.folder.exists():
            shutil.rmtree(self.folder)
        src, side = write_program(prog, cov, self.folder, "example")
        if any(k not in side.data["sites"] for k in self.target.sites):
            return False
        return self._miss(prog, src, side) if self.target.kind == "miss" else self._fp(prog, src, side)

    def _scan(self, src: Path):
        return scan(src.parent, self.folder.parent / "example-scan.json",
                    list(self.settings.leakscan) if self.settings.leakscan else None)

    def _miss(self, prog: Program, src: Path, side: Sidecar) -> bool:
        def shows(run) -> bool:
            return any(lk.direct and not isinstance(c := chain_of(lk, side), str) and c.sites == self.target.sites
                       for lk in run.leaks)
        try:
            runs = self.san.run_all(src, all_inputs(prog), stop_when=shows)
        except ToolchainError:
            return False
        if not any(shows(r) for r in runs) or any(r.error for r in runs):
            return False
        result = self._scan(src)
        if result.error:
            return False
        return not any(f.rule_id in LEAK_RULES and f.acquire_line
                       and side.site_at(f.function, f.acquire_line) in self.target.sites for f in result.findings)

    def _fp(self, prog: Program, src: Path, side: Sidecar) -> bool:
        result = self._scan(src)
        if result.error:
            return False
        if not any(f.rule_id == self.target.rule and f.acquire_line
                   and side.site_at(f.function, f.acquire_line) == self.target.sites[0] for f in result.findings):
            return False
        try:
            runs = self.san.run_all(src, all_inputs(prog))
        except ToolchainError:
            return False
        if any(r.error for r in runs):
            return False
        verdict = judge(side, runs, result)
        return any(f.rule_id == self.target.rule and f.site == self.target.sites[0] and f.verdict == "false-positive"
                   for f in verdict.findings)


def minimize(prog: Program, holds: Callable[[Program], bool], budget: float,
             log: Callable[[str], None] = lambda _m: None) -> Program:
    """The smallest program found within `budget` seconds for which `holds` stays true (else the input itself).

    `holds` gets a fresh copy it may prune (`generate.finish`)."""
    deadline = time.monotonic() + budget
    best = prog
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False  # one pass: every edit of the pass-start program, each tried on the current best
        for _, sid, edit in _edits(best):
            if time.monotonic() >= deadline:
                break
            cand = apply_edit(best, sid, edit)
            if cand is not None and holds(cand):
                best = cand
                progress = True
                log(f"    kept: {edit} statement {sid}")
    return best


def minimize_groups(summary: Summary, records: list[dict], settings: Settings, top: int, budget: float,
                    out: Path, jobs: int = 2) -> dict[str, str]:
    """Minimize one example for each of the `top` largest miss and false-positive shapes; {signature: file}."""
    out.mkdir(parents=True, exist_ok=True)
    by_source = {r.get("source"): r for r in records}
    work = []
    for kind, groups in (("miss", summary.misses[:top]), ("fp", summary.fps[:top])):
        for n, group in enumerate(groups, 1):
            example = group.examples[0]
            if kind == "miss":
                target = Target("miss", tuple(example["chain"]))
            elif example["site"]:
                target = Target("fp", (example["site"],), example["rule_id"])
            else:
                continue  # a finding at no acquisition site: nothing to keep the minimizer on
            label = by_source[group.programs[0]]["label"]
            work.append((f"{kind}-{n:02d}", kind, group.signature, label, target, settings, budget, out))
    examples: dict[str, str] = {}
    with cf.ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for signature, path in pool.map(_minimize_one, work):
            examples[signature] = path
    return examples


def _minimize_one(job: tuple) -> tuple[str, str]:
    name, kind, signature, label, target, settings, budget, out = job
    print(f"  minimizing {name}: {signature} ({label}, {target.describe()})", file=sys.stderr, flush=True)
    started = time.monotonic()
    checker = _Checker(target, settings, out / f".{name}" / "work")
    small = minimize(regenerate(label), checker.holds, budget)
    cov = finish(small)
    src, side = write_program(small, cov, out / name, name)
    with src.open("a") as fh:
        fh.write(_note(kind, signature, target, side, label, checker.checks, time.monotonic() - started))
    shutil.rmtree(out / f".{name}", ignore_errors=True)
    return signature, str(src)


def _note(kind: str, signature: str, target: Target, side: Sidecar, label: str, checks: int, seconds: float) -> str:
    where = ", ".join(f"{side.site(k)['callee']}() at line {side.site(k)['line']} in {side.site(k)['func']}()"
                      for k in target.sites if k in side.data["sites"])
    what = ("leakscan misses a leak LeakSanitizer reports; the leaked object was acquired by " + where
            if kind == "miss" else
            f"leakscan reports {target.rule} for {where}; no input makes LeakSanitizer see it leak")
    small = chain_signature(side, target.sites) if all(k in side.data["sites"] for k in target.sites) else "?"
    return (f"\n/* differential example ({kind}), shape {signature}\n"
            f" * {what}.\n"
            f" * shape of that site in this minimized program: {small}\n"
            f" * inputs: argv holds {side.data['inputs']} integers in 0..{side.data['domain'] - 1}; original program "
            f"{label}, minimized in {checks} checks, {seconds:.0f}s.\n */\n")
