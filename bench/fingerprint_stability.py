"""How many findings keep their fingerprint when a real codebase gets edits that do not touch them.

    PYTHONPATH=. python bench/fingerprint_stability.py SOURCE_DIR BUILD_DIR [-j 2] [--work DIR] [--json]
    e.g. /work/debsrc/redis-7.0.15 /work/debsrc/build-redis (a Debian source tree and its compile database)

The source tree (and the build folder, when it is another one) is copied; the compile database is rewritten to point
at the copy. Then, each on a fresh copy, in every file that has a finding:

  lines-above   a comment block at the top of the file and a new helper function above each function with a finding
  reindent      every line's indentation doubled (tabs to spaces), continuation lines of macros and strings left alone
  rename-local  a local variable renamed in one function without a finding
  reorder       a function without a finding moved to the end of the file
  all           renaming, reordering, re-indenting and the comment block at the top together

An edit that does not compile with the file's compile command (analyzer/fixcheck.py) is not made. The scan's
fingerprints (`Finding.fingerprint`, relative to the scan root) before and after are compared: the target is that
every finding keeps its fingerprint, since none of the edits touches a finding's own code.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzer import ir
from analyzer.fixcheck import FixChecker
from analyzer.phase1 import collect_jobs
from analyzer.pipeline import Options, lower_program, run
from analyzer.sourcetext import split_lines

SCENARIOS = ("lines-above", "reindent", "rename-local", "reorder", "all")
_IDENT = r"[A-Za-z_]\w*"


@dataclass(frozen=True)
class Func:
    name: str
    file: str
    first: int  # 1-based line of the definition's start
    last: int
    locals: tuple[str, ...]


def copy_tree(src: Path, build: Path, work: Path) -> tuple[Path, Path]:
    """Copies of the source tree and the build folder, the database pointing at them."""
    def ignore(_folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n.endswith((".o", ".a", ".so", ".lo", ".la")) or n in (".git", ".libs")}

    dst = work / src.name
    shutil.copytree(src, dst, ignore=ignore, symlinks=True)
    inside = build.resolve().is_relative_to(src.resolve())
    dst_build = dst / build.resolve().relative_to(src.resolve()) if inside else work / build.name
    if not inside:
        shutil.copytree(build, dst_build, ignore=ignore, symlinks=True)
    db = json.loads((build / "compile_commands.json").read_text())
    text = json.dumps(db).replace(str(src.resolve()), str(dst)).replace(str(build.resolve()), str(dst_build))
    (dst_build / "compile_commands.json").write_text(text)
    return dst, dst_build


def scan(build: Path, jobs: int) -> dict[str, tuple[str, str, int, str]]:
    result = run(Options(compile_commands=str(build / "compile_commands.json"), jobs=jobs))
    out = {}
    for f in result.findings:
        rel = os.path.relpath(f.loc.file, result.root)
        out[f.fingerprint(rel)] = (os.path.abspath(f.loc.file), f.function, f.loc.line, f.rule_id.value)
    return out


def functions(build: Path, jobs: int) -> list[Func]:
    modules, _, _ = lower_program(Options(compile_commands=str(build / "compile_commands.json"), jobs=jobs))
    seen: dict[tuple[str, int], Func] = {}
    for m in modules:
        for fn in m.functions:
            if isinstance(fn, ir.Function) and fn.loc.file and fn.end_line > fn.loc.line:
                seen.setdefault((fn.loc.file, fn.loc.line), Func(fn.name, fn.loc.file, fn.loc.line, fn.end_line,
                                                                 fn.locals))
    return sorted(seen.values(), key=lambda f: (f.file, f.first))


# ---- the edits -------------------------------------------------------------------------------------------------

def _definition_start(lines: list[str], first: int) -> int:
    """0-based line where the function's definition begins (its return type may sit on the line before)."""
    k = first - 1
    while k > 0 and lines[k - 1].strip() and not lines[k - 1].rstrip().endswith((";", "}", "*/", "{")) \
            and not lines[k - 1].lstrip().startswith(("#", "//")):
        k -= 1
    return k


def lines_above(text: str, funcs: list[Func], with_findings: set[tuple[str, int]], n: int) -> str:
    lines = split_lines(text)
    for fn in sorted((f for f in funcs if (f.file, f.first) in with_findings), key=lambda f: -f.first):
        at = _definition_start(lines, fn.first)
        helper = [f"/* added above {fn.name} by the fingerprint bench */\n",
                  f"static int fingerprint_bench_helper_{n}_{fn.first}(int x)\n", "{\n",
                  f"    return x + {fn.first};\n", "}\n", "\n"]
        lines[at:at] = helper
    head = ["/*\n", " * A comment block added at the top by bench/fingerprint_stability.py.\n", " */\n"]
    return "".join(head + lines)


def reindent(text: str) -> str:
    out = []
    continued = False
    for line in split_lines(text):
        body = line.lstrip(" \t")
        indent = line[:len(line) - len(body)]
        if not continued and body.strip():
            line = indent.replace("\t", "        ") * 2 + body
        continued = line.rstrip("\r\n").endswith("\\")
        out.append(line)
    return "".join(out)


def rename_local(text: str, fn: Func) -> str | None:
    lines = split_lines(text)
    body = "".join(lines[fn.first - 1:fn.last])
    for name in fn.locals:
        if not re.fullmatch(_IDENT, name) or len(name) < 2:
            continue
        new = f"{name}_renamed"
        if re.search(rf"\b{new}\b", text):
            continue
        pattern = rf"(?<![\w.>]){re.escape(name)}\b"
        if not re.search(pattern, body):
            continue
        renamed = re.sub(pattern, new, body)
        return "".join(lines[:fn.first - 1]) + renamed + "".join(lines[fn.last:])
    return None


def reorder(text: str, fn: Func) -> str:
    lines = split_lines(text)
    start = _definition_start(lines, fn.first)
    moved = lines[start:fn.last]
    rest = lines[:start] + lines[fn.last:]
    if rest and not rest[-1].endswith("\n"):
        rest[-1] += "\n"
    return "".join([*rest, "\n", *moved])


# ---- one scenario --------------------------------------------------------------------------------------------

def edit_tree(kind: str, funcs: list[Func], findings: list[tuple[str, int]], checker: FixChecker) -> tuple[int, int]:
    """Apply one kind of edit to every file with a finding; returns (edits made, edits refused by the compiler)."""
    by_file: dict[str, list[Func]] = {}
    for fn in funcs:
        by_file.setdefault(fn.file, []).append(fn)
    hit = {path for path, _ in findings}
    with_findings = {(fn.file, fn.first) for fn in funcs
                     if any(fn.file == path and fn.first <= line <= fn.last for path, line in findings)}
    made = refused = 0
    for path in sorted(hit):
        if not os.path.isfile(path):
            continue
        text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
        in_file = by_file.get(path, [])
        candidates = [f for f in in_file if (f.file, f.first) not in with_findings]
        # in an order where no step needs line numbers another one moved: renaming moves nothing, the reordering
        # uses the original numbers, re-indenting and the header block need none
        steps: list[Callable[[str], str | None]] = []
        if kind in ("rename-local", "all"):
            steps.append(lambda t, c=candidates: next((r for f in c if f.locals and (r := rename_local(t, f))), None))
        if kind in ("reorder", "all") and candidates:
            steps.append(lambda t, c=candidates: reorder(t, c[0]))
        if kind == "lines-above":
            steps.append(lambda t, fs=in_file, n=made: lines_above(t, fs, with_findings, n))
        if kind in ("reindent", "all"):
            steps.append(reindent)
        if kind == "all":
            steps.append(lambda t: lines_above(t, [], set(), 0))
        for step in steps:
            new = step(text)
            if new is None or new == text:
                continue
            if path.endswith((".c", ".cc", ".cpp")) and not checker.compiles(path, new):
                refused += 1
                continue
            text = new
            made += 1
        Path(path).write_text(text, encoding="utf-8", errors="surrogateescape")
    return made, refused


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("build", type=Path)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--work", type=Path, default=None, help="where to copy the tree (default: a temporary folder)")
    ap.add_argument("--scenario", action="append", choices=SCENARIOS, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="leakscan-fp-"))
    start = time.perf_counter()
    base_src, base_build = copy_tree(args.source, args.build, work / "base")
    before = scan(base_build, args.jobs)
    funcs_rel = [(os.path.relpath(f.file, base_src), f) for f in functions(base_build, args.jobs)
                 if f.file.startswith(str(base_src))]
    rows = []
    for kind in args.scenario or SCENARIOS:
        src, build = copy_tree(args.source, args.build, work / kind)
        funcs = [Func(f.name, str(src / rel), f.first, f.last, f.locals) for rel, f in funcs_rel]
        checker = FixChecker(collect_jobs((), str(build / "compile_commands.json")))
        here = [(str(src) + path[len(str(base_src)):], line) for path, _, line, _ in before.values()
                if path.startswith(str(base_src))]
        made, refused = edit_tree(kind, funcs, here, checker)
        after = scan(build, args.jobs)
        kept = set(before) & set(after)
        lost = [before[fp] for fp in sorted(set(before) - kept)]
        rows.append({"scenario": kind, "edits": made, "refused": refused, "findings": len(before),
                     "kept": len(kept), "after": len(after), "lost": lost,
                     "new": [after[fp] for fp in sorted(set(after) - set(before))]})
        shutil.rmtree(work / kind, ignore_errors=True)
    seconds = round(time.perf_counter() - start)
    if args.json:
        json.dump({"rows": rows, "seconds": seconds}, sys.stdout, indent=1)
        print()
        return 0
    print(f"{'scenario':<14} {'edits':>6} {'refused':>8} {'findings':>9} {'kept':>6} {'after':>6}")
    for r in rows:
        print(f"{r['scenario']:<14} {r['edits']:>6} {r['refused']:>8} {r['findings']:>9} {r['kept']:>6} "
              f"{r['after']:>6}")
        for lost in r["lost"]:
            print(f"    lost: {lost}")
        for new in r["new"]:
            print(f"    new:  {new}")
    print(f"{seconds}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
