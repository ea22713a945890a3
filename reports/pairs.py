"""`leakscan pairs` output: the inferred pairs as text, or as a rules file to review and commit."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence

from analyzer.model import InferredPair


def render_pairs_text(pairs: Sequence[InferredPair], borrowers: Mapping[str, str], show_all: bool) -> str:
    lines = []
    for p in pairs if show_all else [p for p in pairs if p.confidence != "low"]:
        out = f", out-parameter {p.out_arg + 1}" if p.out_arg is not None else ""
        lines.append(f"{p.confidence:<6} {p.score:4.2f}  {p.kind}: {p.acquirer}(){out} -> {p.releaser}() "
                     f"argument {p.release_arg + 1}")
        lines.extend(f"    {e}" for e in p.evidence)
    if borrowers:
        lines.append("borrowers (functions without a body that only use a paired resource):")
        lines.extend(f"    {f}() borrows {k}" for f, k in sorted(borrowers.items()))
    counts = {c: sum(1 for p in pairs if p.confidence == c) for c in ("high", "medium", "low")}
    hidden = "" if show_all or not counts["low"] else " (low ones hidden: --all shows them)"
    lines.append(f"leakscan: {len(pairs)} pair(s): {counts['high']} high, {counts['medium']} medium, "
                 f"{counts['low']} low{hidden}; {len(borrowers)} borrower(s)")
    return "\n".join(lines) + "\n"


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def render_pairs_toml(pairs: Sequence[InferredPair], borrowers: Mapping[str, str], show_all: bool = False) -> str:
    """A rules file (rules/*.toml schema) a user can review, edit and commit; low pairs only as comments."""
    out = ["# Resource pairs inferred by `leakscan pairs`: review, edit, then pass with --rules FILE.", ""]
    by_kind: dict[str, list[InferredPair]] = defaultdict(list)
    for p in pairs:
        by_kind[p.kind].append(p)
    for kind in sorted(by_kind, key=lambda k: (-max(p.score for p in by_kind[k]), k)):
        ps = by_kind[kind]
        good = [p for p in ps if p.confidence != "low"]
        if not good and not show_all:
            continue
        out += _resource_block(kind, ps, good)
    if borrowers:
        out.append("# functions without a body that only use a paired resource")
        out += ["[borrow]", "functions = [" + ", ".join(_toml_str(f) for f in sorted(borrowers)) + "]", ""]
    return "\n".join(out)


def _resource_block(kind: str, ps: list[InferredPair], good: list[InferredPair]) -> list[str]:
    prefix = "" if good else "# "
    out = []
    for p in ps:
        out.append(f"# {p.acquirer} -> {p.releaser}: {p.confidence} ({p.score:.2f})")
        out.extend(f"#   {e}" for e in p.evidence)
    use = good or ps
    acquires: dict[str, int | None] = {}
    releases: dict[tuple[str, int], None] = {}
    for p in use:
        acquires.setdefault(p.acquirer, p.out_arg)
        releases.setdefault((p.releaser, p.release_arg), None)
    acq = [_toml_str(a) if o is None else f"{{ function = {_toml_str(a)}, out_arg = {o} }}"
           for a, o in acquires.items()]
    rel = [_toml_str(r) if i == 0 else f"{{ function = {_toml_str(r)}, arg = {i} }}" for r, i in releases]
    described = ", ".join(sorted({f"{p.acquirer}/{p.releaser}" for p in use}))
    return [*out, f"{prefix}[[resource]]", f"{prefix}kind = {_toml_str(kind)}",
            f"{prefix}description = {_toml_str('inferred: ' + described)}",
            f'{prefix}invalid = "null"', f"{prefix}acquire = [{', '.join(acq)}]",
            f"{prefix}release = [{', '.join(rel)}]", ""]
