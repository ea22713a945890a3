"""`leakscan scan`: scan sources (and correlate with profiles), write the chosen report."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from analyzer.config import COMMAND_LINE, EffectiveConfig
from analyzer.correlate import correlate_with_files
from analyzer.errors import ExitCode
from analyzer.fixcheck import FixChecker
from analyzer.fsio import write_text_atomic
from analyzer.model import AnalysisResult
from analyzer.phase1 import DEFAULT_MAX_SOURCE_BYTES, DEFAULT_TU_TIMEOUT, collect_jobs
from analyzer.pipeline import Options, Timings, run
from analyzer.sourcetext import read_source
from analyzer.suppress import source_files_under
from analyzer.workflow import apply_workflow

from .output import emit, exact_patch, exit_code_for, print_diagnostics, with_fixes
from .progress import ScanProgress
from .settings import (
    add_config_args,
    add_output_args,
    add_speed_args,
    add_workflow_args,
    effective_config,
    fail_on,
    scan_options,
    workflow_options,
)
from .stats import format_stats


def add_source_args(p: argparse.ArgumentParser) -> None:
    """What to scan: shared by `scan`, `pairs`, `config`, `baseline write` and `pre-commit`."""
    p.add_argument("paths", nargs="*", help="source files and folders (default: every TU of the database)")
    p.add_argument("-p", "--build-dir", help="folder holding compile_commands.json")
    p.add_argument("--compile-commands", help="path of a compile_commands.json")
    p.add_argument("--rules", action="append", default=None, metavar="FILE", help="extra TOML rules file")
    p.add_argument("--cppcheck-cfg", action="append", default=None, metavar="FILE",
                   help="read alloc/dealloc pairs from a cppcheck library .cfg file")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: one per core; 1: parse in-process, no crash isolation)")
    p.add_argument("--cflags", default=None, metavar="FLAGS", help="extra compiler flags for C TUs only (one string)")
    p.add_argument("--cxxflags", default=None, metavar="FLAGS", help="extra compiler flags for C++ TUs only")
    p.add_argument("--tu-timeout", type=float, default=None, metavar="SECONDS",
                   help=f"give up on a translation unit whose parsing takes longer (default {DEFAULT_TU_TIMEOUT:g}; "
                        "0: no limit)")
    p.add_argument("--max-file-size", type=float, default=None, metavar="MIB",
                   help=f"skip source files larger than this, with a diagnostic (default "
                        f"{DEFAULT_MAX_SOURCE_BYTES / (1 << 20):g}; 0: no limit)")
    p.add_argument("--no-infer", action="store_true", help="no inferred create/destroy pairs or summaries")
    add_config_args(p)
    add_speed_args(p)
    add_resource_dir_arg(p)


def add_resource_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-dir", metavar="DIR",
                   help="clang builtin headers (DIR/include) to use instead of those found for libclang")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("scan", help="scan sources (flags after -- go to the compiler)")
    add_source_args(p)
    add_output_args(p)
    add_workflow_args(p)
    p.add_argument("--heap", "--profile", dest="profiles", action="append", default=[], metavar="PROFILE",
                   help="heap profile / LSan / Valgrind report to correlate (repeatable, oldest first)")
    p.add_argument("--binary", help="the profiled binary (symbolizes raw heap profiles)")
    p.add_argument("--search-path", action="append", default=[], metavar="DIR",
                   help="where to find shared libraries named in profiles")
    p.add_argument("--fix-diff", metavar="FILE", help="write every suggested fix as one unified diff")
    p.add_argument("--no-fix-check", action="store_true",
                   help="suggest fixes without compiling each patched file (default: only fixes that compile)")
    p.add_argument("--single-file", action="store_true", help="html: one self-contained file")
    p.add_argument("--timestamp", default="", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress; text: no path notes")
    p.add_argument("--stats", action="store_true", help="print where the time went and the cache's hits")
    p.set_defaults(run=cmd_scan)


def configured_scan(args: argparse.Namespace, extra: list[str]) -> tuple[EffectiveConfig, Options]:
    """The effective configuration (file < flags) and the scan options it gives."""
    config = effective_config(args, extra)
    setup = tuple(check_setup(getattr(args, "resource_dir", None), list(config["compiler-args"])))
    return config, scan_options(config, getattr(args, "timestamp", ""), setup)


def check_setup(resource_dir: str | None, extra: list[str]) -> list[str]:
    """--resource-dir as the flag libclang takes; one warning line when the builtin headers do not fit libclang."""
    from analyzer.frontend.resource_dir import checked_override, startup_warning
    given = [extra[i + 1] for i in range(len(extra) - 1) if extra[i] == "-resource-dir"]
    override = resource_dir or (given[-1] if given else None)
    override = checked_override(override) if override else None  # SetupError (an InputError) when it is not one
    warning = startup_warning(override)
    if warning:
        print(f"leakscan: warning: {warning}", file=sys.stderr)
    return ["-resource-dir", override] if override else []


def correlate_profiles(result: AnalysisResult, profiles: list[str], binary: str | None,
                       search: list[str]) -> AnalysisResult:
    return correlate_with_files(result, profiles, binary=binary, search_paths=search) if profiles else result


def scanned(args: argparse.Namespace, config: EffectiveConfig, options: Options,
            timings: Timings | None = None) -> AnalysisResult:
    """Scan, correlate, fit to the workflow (excludes, suppressions, baseline, diff-base), attach checked fixes."""
    progress = ScanProgress(quiet=getattr(args, "quiet", False))
    try:
        result = run(options, progress=progress, timings=timings)
    finally:
        progress.close()
    result = correlate_profiles(result, getattr(args, "profiles", []), getattr(args, "binary", None),
                                getattr(args, "search_path", []))
    jobs = collect_jobs(options.paths, options.compile_commands, options.extra_flags, options.c_flags,
                        options.cxx_flags)
    inline = tuple(job.file for job in jobs) + tuple(source_files_under(options.paths or [result.root]))
    result = apply_workflow(result, workflow_options(config, inline), read_source)
    return with_fixes(result, None if getattr(args, "no_fix_check", False) else FixChecker(jobs))


def cmd_scan(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    start = time.perf_counter()
    config, options = configured_scan(args, extra)
    timings = Timings()
    result = scanned(args, config, options, timings)
    report_start = time.perf_counter()
    if args.fix_diff:
        write_text_atomic(args.fix_diff, exact_patch(result))
    outputs = config["output"]
    for fmt, target in outputs.items():
        emit(result, fmt, None if target == "-" else target, args.single_file, args.quiet,
             make_dirs=config.origin("output") != COMMAND_LINE)
    print_diagnostics(result, outputs)
    if args.stats:
        end = time.perf_counter()
        after = report_start - start - timings.total
        sys.stderr.write(format_stats(timings, end - start, max(after, 0.0), end - report_start))
    return exit_code_for(result, fail_on(config))
