"""`leakscan pairs`: the create/destroy pairs inferred from the code, as text, as a rules file, or exported for other
tools (cppcheck library, Clang ownership attributes, Infer Pulse options, leakscan TOML)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from analyzer import ir
from analyzer.analysis.fixpoint import analyze_program
from analyzer.errors import ExitCode, InputError
from analyzer.fsio import write_text_atomic
from analyzer.inference import infer
from analyzer.model import InferredPair
from analyzer.pipeline import lower_program
from analyzer.rules import RuleSet, build_ruleset

from .scan import add_source_args, configured_scan

EXPORTS = ("cppcheck-cfg", "clang-attributes", "infer", "toml")
_HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".h++", ".inl")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("pairs", help="list inferred create/destroy pairs, or export them for other tools")
    add_source_args(p)
    p.add_argument("--write-rules", metavar="FILE", help="write the pairs as a TOML rules file")
    p.add_argument("--export", choices=EXPORTS, help="write the inferred and configured pairs for another tool")
    p.add_argument("-o", "--output", metavar="FILE", help="--export: the file to write (default stdout)")
    p.add_argument("--all", action="store_true", help="also list low-confidence pairs")
    p.set_defaults(run=cmd_pairs)


def configured_pairs(rules: RuleSet) -> list[InferredPair]:
    """The pairs of the user's own rule sources (rules files, cppcheck library files, attributes), not the builtins."""
    out = []
    for acq in rules.acquires.values():
        if acq.source.startswith("builtin:"):
            continue
        releases = [(name, r) for name, rels in rules.releases.items() for r in rels if r.kind == acq.kind]
        for name, rel in releases[:1]:
            out.append(InferredPair(acq.function, name, acq.kind, "configured", 1.0, (acq.source,), acq.out_arg,
                                    rel.arg))
    return out


def _declarations(decls: list[ir.FuncDecl], out_dir: str | None) -> dict[str, Any]:
    from reports.exports import Declaration
    found: dict[str, Declaration] = {}
    for d in decls:
        file = d.loc.file
        header = ""
        if file.endswith(_HEADER_SUFFIXES) and os.path.isabs(file):
            header = os.path.relpath(file, out_dir) if out_dir else file
        prev = found.get(d.name)
        if prev is None or (not prev.header and header):
            found[d.name] = Declaration(d.name, d.qualname, d.return_type, d.param_types, header,
                                        method=_is_method(d))
    return found


def _is_method(d: ir.FuncDecl) -> bool:
    return any(marker in d.usr for marker in ("@S@", "@ST>", "@U@", "@SP>"))


def cmd_pairs(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    """0 listed, 2 bad input, 3 a TU failed."""
    from reports.pairs import render_pairs_text, render_pairs_toml
    if args.output and not args.export:
        raise InputError("-o", None, "needs --export FORMAT")
    _config, options = configured_scan(args, extra)
    build_ruleset(options.rule_files, options.cppcheck_cfgs)  # a malformed file stops before parsing
    modules, prog, _ = lower_program(options)
    rules = build_ruleset(options.rule_files, options.cppcheck_cfgs, prog.decls.values())
    # behaviour evidence: summaries of the bodies under the configured rules only
    summaries = analyze_program(prog, rules, True).summaries
    inference = infer(prog, rules, summaries)
    records = [p.record() for p in inference.pairs]
    if args.export:
        chosen = configured_pairs(rules) + [p for p in records if args.all or p.confidence != "low"]
        out_dir = os.path.dirname(os.path.abspath(args.output)) if args.output else None
        text = export(args.export, chosen, records, inference.borrowers, rules,
                      _declarations(list(prog.decls.values()), out_dir), args.all)
        if args.output:
            write_text_atomic(args.output, text)
            print(f"leakscan: {len(chosen)} pair(s) exported as {args.export} to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
    else:
        sys.stdout.write(render_pairs_text(records, inference.borrowers, args.all))
        sys.stdout.write(origin_counts(inference.pairs, args.all) + "\n")
    if args.write_rules:
        write_text_atomic(args.write_rules, render_pairs_toml(records, inference.borrowers, args.all))
    return ExitCode.INCOMPLETE if any(m.failed for m in modules) else ExitCode.CLEAN


def origin_counts(pairs: Any, show_all: bool = False) -> str:
    """How many listed pairs the names found, how many the bodies' behaviour, how many both."""
    listed = [p for p in pairs if show_all or p.confidence != "low"]
    n = {o: sum(1 for p in listed if p.origin == o) for o in ("names", "behaviour", "both")}
    return (f"leakscan: {len(listed)} {'' if show_all else 'medium and high '}pair(s) from names only {n['names']}, "
            f"from behaviour only {n['behaviour']}, from both {n['both']}")


def export(fmt: str, chosen: list[InferredPair], records: list[InferredPair], borrowers: Any, rules: RuleSet,
           decls: dict[str, Any], show_all: bool) -> str:
    from reports.exports import render_clang_attributes, render_cppcheck_cfg, render_infer
    from reports.pairs import render_pairs_toml
    if fmt == "cppcheck-cfg":
        handles = frozenset(k for k, kind in rules.kinds.items() if kind.invalid == "negative")
        return render_cppcheck_cfg(chosen, handles)
    if fmt == "clang-attributes":
        return render_clang_attributes(chosen, decls)
    if fmt == "infer":
        return render_infer(chosen)
    return render_pairs_toml(records, borrowers, show_all)
