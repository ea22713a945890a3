"""`leakscan scan`: scan sources (and correlate with profiles), write the chosen report."""
from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from analyzer.correlate import correlate_with_files
from analyzer.errors import ExitCode, InputError
from analyzer.frontend.compdb import find_compile_commands
from analyzer.fsio import write_text_atomic
from analyzer.model import AnalysisResult
from analyzer.phase1 import DEFAULT_MAX_SOURCE_BYTES, DEFAULT_TU_TIMEOUT, Limits
from analyzer.pipeline import Options, run

from .output import FORMATS, emit, exact_patch, exit_code_for, print_diagnostics, with_fixes


def add_source_args(p: argparse.ArgumentParser) -> None:
    """What to scan: shared by `scan` and `pairs`."""
    p.add_argument("paths", nargs="*", help="source files and folders (default: every TU of the database)")
    p.add_argument("-p", "--build-dir", help="folder holding compile_commands.json")
    p.add_argument("--compile-commands", help="path of a compile_commands.json")
    p.add_argument("--rules", action="append", default=[], metavar="FILE", help="extra TOML rules file")
    p.add_argument("--cppcheck-cfg", action="append", default=[], metavar="FILE",
                   help="read alloc/dealloc pairs from a cppcheck library .cfg file")
    p.add_argument("-j", "--jobs", type=int, default=0,
                   help="worker processes (default: one per core; 1: parse in-process, no crash isolation)")
    p.add_argument("--cflags", default="", metavar="FLAGS", help="extra compiler flags for C TUs only (one string)")
    p.add_argument("--cxxflags", default="", metavar="FLAGS", help="extra compiler flags for C++ TUs only")
    p.add_argument("--tu-timeout", type=float, default=DEFAULT_TU_TIMEOUT, metavar="SECONDS",
                   help=f"give up on a translation unit whose parsing takes longer (default {DEFAULT_TU_TIMEOUT:g}; "
                        "0: no limit)")
    p.add_argument("--max-file-size", type=float, default=DEFAULT_MAX_SOURCE_BYTES / (1 << 20), metavar="MIB",
                   help="skip source files larger than this, with a diagnostic (default %(default)g; 0: no limit)")
    add_resource_dir_arg(p)


def add_resource_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-dir", metavar="DIR",
                   help="clang builtin headers (DIR/include) to use instead of those found for libclang")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("scan", help="scan sources (flags after -- go to the compiler)")
    add_source_args(p)
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", help="output file (html: output folder); default stdout")
    p.add_argument("--no-infer", action="store_true", help="no inferred create/destroy pairs or summaries")
    p.add_argument("--heap", "--profile", dest="profiles", action="append", default=[], metavar="PROFILE",
                   help="heap profile / LSan / Valgrind report to correlate (repeatable, oldest first)")
    p.add_argument("--binary", help="the profiled binary (symbolizes raw heap profiles)")
    p.add_argument("--search-path", action="append", default=[], metavar="DIR",
                   help="where to find shared libraries named in profiles")
    p.add_argument("--fix-diff", metavar="FILE", help="write every suggested fix as one unified diff")
    p.add_argument("--single-file", action="store_true", help="html: one self-contained file")
    p.add_argument("--timestamp", default="", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="text: no path notes")
    p.set_defaults(run=cmd_scan)


def scan_options(args: argparse.Namespace, extra: list[str]) -> Options:
    compdb = args.compile_commands
    if args.build_dir:
        compdb = find_compile_commands(args.build_dir)
    if not compdb and not args.paths:
        raise InputError("leakscan", None, "nothing to scan: give source files or folders, or -p BUILD_DIR")
    extra = list(extra) + check_setup(getattr(args, "resource_dir", None), extra)
    if args.tu_timeout < 0 or args.max_file_size < 0:
        raise InputError("--tu-timeout" if args.tu_timeout < 0 else "--max-file-size", None,
                         "must not be negative (0: no limit)")
    limits = Limits(tu_timeout=args.tu_timeout, max_source_bytes=int(args.max_file_size * (1 << 20)))
    return Options(paths=tuple(args.paths), compile_commands=compdb, rule_files=tuple(args.rules),
                   extra_flags=tuple(extra), c_flags=tuple(shlex.split(args.cflags)),
                   cxx_flags=tuple(shlex.split(args.cxxflags)), jobs=args.jobs,
                   infer=not getattr(args, "no_infer", False),
                   cppcheck_cfgs=tuple(getattr(args, "cppcheck_cfg", []) or ()),
                   timestamp=getattr(args, "timestamp", ""), limits=limits)


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


def progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rleakscan: parsed {done}/{total} translation units")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def correlate_profiles(result: AnalysisResult, profiles: list[str], binary: str | None,
                       search: list[str]) -> AnalysisResult:
    return correlate_with_files(result, profiles, binary=binary, search_paths=search) if profiles else result


def cmd_scan(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    result = run(scan_options(args, extra), progress=progress)
    result = with_fixes(correlate_profiles(result, args.profiles, args.binary, args.search_path))
    if args.fix_diff:
        write_text_atomic(args.fix_diff, exact_patch(result))
    emit(result, args.format, args.output, args.single_file, args.quiet)
    print_diagnostics(result, args.format, args.output)
    return exit_code_for(result)
