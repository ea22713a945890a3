"""`leakscan config` (the effective configuration and where each value came from), `leakscan baseline write FILE`
(record the findings a team accepts today) and `leakscan pre-commit FILES` (the hook: the staged files, only what the
commit changes)."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from analyzer.config import merge, render_config
from analyzer.errors import ExitCode
from analyzer.frontend.compdb import SOURCE_SUFFIXES

from .output import emit, exit_code_for
from .scan import add_source_args, configured_scan, scanned
from .settings import add_output_args, add_workflow_args, effective_config


def add_parsers(sub: Any) -> None:
    config = sub.add_parser("config", help="print the effective configuration and where each value came from")
    add_source_args(config)
    add_output_args(config)
    add_workflow_args(config)
    config.set_defaults(run=cmd_config)
    baseline = sub.add_parser("baseline", help="record the current findings as the baseline")
    bsub = baseline.add_subparsers(dest="baseline_command", required=True)
    write = bsub.add_parser("write", help="scan and write the findings to FILE (JSON) for --baseline")
    write.add_argument("file", metavar="FILE")
    add_source_args(write)
    write.add_argument("--suppressions", action="append", default=None, metavar="FILE")
    write.add_argument("--timestamp", default="", help=argparse.SUPPRESS)
    write.set_defaults(run=cmd_baseline_write)
    hook = sub.add_parser("pre-commit", help="scan the staged C/C++ files, report what the commit changes")
    add_source_args(hook)
    hook.add_argument("--all-lines", action="store_true", help="report every finding, not only those touching "
                                                               "lines changed since HEAD")
    hook.set_defaults(run=cmd_pre_commit)


def cmd_config(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    sys.stdout.write(render_config(effective_config(args, extra)))
    return ExitCode.CLEAN


def cmd_baseline_write(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    config, options = configured_scan(args, extra)
    # the baseline records every finding as it is: no comparison with an older baseline, no diff filter
    config = merge({k: v for k, v in config.settings.items() if k not in ("baseline", "diff-base")}, {}, config.file)
    result = scanned(args, config, options)
    emit(result, "json", args.file)
    print(f"leakscan: baseline of {len(result.findings)} finding(s) written to {args.file}"
          f"{f' ({len(result.suppressed)} suppressed, not in it)' if result.suppressed else ''}", file=sys.stderr)
    return ExitCode.INCOMPLETE if result.stats.failed_tus else ExitCode.CLEAN


def _has_head(folder: str) -> bool:
    try:
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=folder, capture_output=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def cmd_pre_commit(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    """pre-commit passes the staged files (the work tree holds the staged content while hooks run): scan the C and
    C++ sources among them (headers through them) and report the findings that touch lines changed since HEAD."""
    named = list(args.paths)
    args.paths = [p for p in named if os.path.splitext(p)[1] in SOURCE_SUFFIXES]
    if not args.paths:
        print(f"leakscan: no C or C++ source among the {len(named)} staged file(s): nothing to scan", file=sys.stderr)
        return ExitCode.CLEAN
    config, options = configured_scan(args, extra)
    folder = os.path.dirname(os.path.abspath(args.paths[0]))
    if not args.all_lines and _has_head(folder):
        config = merge(dict(config.settings), {"diff-base": "HEAD"}, config.file)
    result = scanned(args, config, options)
    emit(result, "text", None)
    write_fix_hint(result)
    return exit_code_for(result, "any")


def write_fix_hint(result: Any) -> None:
    if result.patch:
        print("leakscan: suggested fixes: leakscan scan --fix-diff fixes.patch ... && git apply fixes.patch",
              file=sys.stderr)


__all__ = ["add_parsers"]
