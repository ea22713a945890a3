"""`leakscan pairs`: the create/destroy pairs inferred from the code, as text or as a rules file."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from analyzer.analysis.fixpoint import analyze_program
from analyzer.errors import ExitCode
from analyzer.fsio import write_text_atomic
from analyzer.inference import infer
from analyzer.pipeline import Options, lower_program
from analyzer.rules import build_ruleset

from .scan import add_source_args, scan_options


def add_parser(sub: Any) -> None:
    p = sub.add_parser("pairs", help="list inferred create/destroy pairs")
    add_source_args(p)
    p.add_argument("--write-rules", metavar="FILE", help="write the pairs as a TOML rules file")
    p.add_argument("--all", action="store_true", help="also list low-confidence pairs")
    p.set_defaults(run=cmd_pairs)


def cmd_pairs(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    """0 listed, 2 bad input, 3 a TU failed."""
    from reports.pairs import render_pairs_text, render_pairs_toml
    options: Options = scan_options(args, extra)
    build_ruleset(options.rule_files, options.cppcheck_cfgs)  # a malformed file stops before parsing
    modules, prog, _ = lower_program(options)
    rules = build_ruleset(options.rule_files, options.cppcheck_cfgs, prog.decls.values())
    # behaviour evidence: summaries of the bodies under the configured rules only
    summaries = analyze_program(prog, rules, True).summaries
    inference = infer(prog, rules, summaries)
    records = [p.record() for p in inference.pairs]
    sys.stdout.write(render_pairs_text(records, inference.borrowers, args.all))
    if args.write_rules:
        write_text_atomic(args.write_rules, render_pairs_toml(records, inference.borrowers, args.all))
    return ExitCode.INCOMPLETE if any(m.failed for m in modules) else ExitCode.CLEAN
