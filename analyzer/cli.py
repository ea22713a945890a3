"""Command line: argparse, exit codes, and the only place that does user I/O."""
from __future__ import annotations

import argparse
import enum
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn


class ExitCode(enum.IntEnum):
    CLEAN = 0
    FINDINGS = 1
    INPUT_ERROR = 2
    INCOMPLETE = 3
    INTERNAL_ERROR = 64


class UserError(Exception):
    """Reported as one line `leakscan: message`, exit code 2."""


def _fatal(message: str) -> NoReturn:
    raise UserError(message)


def write_atomic(path: str, text: str) -> None:
    """Write next to the target and rename: never a half-written report."""
    target = Path(path)
    if target.parent and not target.parent.exists():
        _fatal(f"{path}: directory {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=str(target.parent or "."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output file gets the usual mode
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _add_scan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", help="source files and folders (default: every TU of the database)")
    p.add_argument("-p", "--build-dir", help="folder holding compile_commands.json")
    p.add_argument("--compile-commands", help="path of a compile_commands.json")
    p.add_argument("--rules", action="append", default=[], metavar="FILE", help="extra TOML rules file")
    p.add_argument("--format", choices=["text", "json", "sarif", "html"], default="text")
    p.add_argument("-o", "--output", help="output file (html: output folder); default stdout")
    p.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--no-infer", action="store_true", help="no inferred create/destroy pairs or summaries")
    p.add_argument("--cppcheck-cfg", action="append", default=[], metavar="FILE",
                   help="read alloc/dealloc pairs from a cppcheck library .cfg file")
    p.add_argument("--heap", "--profile", dest="profiles", action="append", default=[], metavar="PROFILE",
                   help="heap profile / LSan / Valgrind report to correlate (repeatable, oldest first)")
    p.add_argument("--binary", help="the profiled binary (symbolizes raw heap profiles)")
    p.add_argument("--search-path", action="append", default=[], metavar="DIR",
                   help="where to find shared libraries named in profiles")
    p.add_argument("--fix-diff", metavar="FILE", help="write every suggested fix as one unified diff")
    p.add_argument("--single-file", action="store_true", help="html: one self-contained file")
    p.add_argument("--timestamp", default="", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="text: no path notes")
    _add_resource_dir_arg(p)


def _add_resource_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource-dir", metavar="DIR",
                   help="clang builtin headers (DIR/include) to use instead of those found for libclang")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leakscan", description="Find resource leaks in C and C++ code.")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="scan sources (flags after -- go to the compiler)")
    _add_scan_args(scan)
    pairs = sub.add_parser("pairs", help="list inferred create/destroy pairs")
    pairs.add_argument("paths", nargs="*")
    pairs.add_argument("-p", "--build-dir")
    pairs.add_argument("--compile-commands")
    pairs.add_argument("--rules", action="append", default=[])
    pairs.add_argument("--cppcheck-cfg", action="append", default=[], metavar="FILE")
    pairs.add_argument("--write-rules", metavar="FILE", help="write the pairs as a TOML rules file")
    pairs.add_argument("--all", action="store_true", help="also list low-confidence pairs")
    pairs.add_argument("-j", "--jobs", type=int, default=0)
    _add_resource_dir_arg(pairs)
    doctor = sub.add_parser("doctor", help="show libclang, its builtin headers and include paths, and if they fit")
    _add_resource_dir_arg(doctor)
    report = sub.add_parser("report", help="re-render a saved JSON result")
    report.add_argument("result")
    report.add_argument("--format", choices=["text", "json", "sarif", "html"], default="html")
    report.add_argument("-o", "--output")
    report.add_argument("--single-file", action="store_true")
    corr = sub.add_parser("correlate", help="correlate a saved JSON result with heap profiles")
    corr.add_argument("result")
    corr.add_argument("profiles", nargs="+")
    corr.add_argument("--binary")
    corr.add_argument("--search-path", action="append", default=[])
    corr.add_argument("--format", choices=["text", "json", "sarif", "html"], default="text")
    corr.add_argument("-o", "--output")
    corr.add_argument("--single-file", action="store_true")
    try:
        from .profiles.cli import add_profile_subparsers
    except ImportError:
        add_profile_subparsers = None
    if add_profile_subparsers is not None:
        add_profile_subparsers(sub)
    return parser


def _options(args: argparse.Namespace, extra: list[str]):
    from .pipeline import Options
    compdb = args.compile_commands
    if args.build_dir:
        from .frontend.compdb import CompileDbError, find_compile_commands
        try:
            compdb = find_compile_commands(args.build_dir)
        except CompileDbError as exc:
            _fatal(str(exc))
    if not compdb and not args.paths:
        _fatal("nothing to scan: give source files or folders, or -p BUILD_DIR")
    extra = list(extra) + _check_setup(args, extra)
    return Options(paths=tuple(args.paths), compile_commands=compdb, rule_files=tuple(args.rules),
                   extra_flags=tuple(extra), jobs=args.jobs, infer=not getattr(args, "no_infer", False),
                   cppcheck_cfgs=tuple(getattr(args, "cppcheck_cfg", []) or ()),
                   timestamp=getattr(args, "timestamp", ""))


def _check_setup(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """--resource-dir as the flag libclang takes; one warning line when the builtin headers do not fit libclang."""
    from .frontend.resource_dir import SetupError, checked_override, startup_warning
    given = [extra[i + 1] for i in range(len(extra) - 1) if extra[i] == "-resource-dir"]
    override = getattr(args, "resource_dir", None) or (given[-1] if given else None)
    try:
        override = checked_override(override) if override else None
        warning = startup_warning(override)
    except SetupError as exc:
        _fatal(str(exc))
    if warning:
        print(f"leakscan: warning: {warning}", file=sys.stderr)
    return ["-resource-dir", override] if override else []


def cmd_doctor(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    from .frontend.doctor import doctor_report
    from .frontend.resource_dir import SetupError
    try:
        text, ok = doctor_report(args.resource_dir)
    except SetupError as exc:
        _fatal(str(exc))
    sys.stdout.write(text)
    return ExitCode.CLEAN if ok else ExitCode.FINDINGS


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rleakscan: parsed {done}/{total} translation units")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def emit(result, fmt: str, output: str | None, single_file: bool = False, quiet: bool = False) -> None:
    if fmt == "html":
        if not output:
            _fatal("--format html needs -o DIR")
        from reports.html import render_html
        try:
            render_html(result, Path(output), single_file=single_file)
        except FileExistsError as exc:
            _fatal(f"{output}: {exc.args[0] if exc.args else 'exists'}; choose an empty or new folder")
        return
    if fmt == "json":
        from reports.jsonout import render_json
        text = render_json(result)
    elif fmt == "sarif":
        from reports.sarif import render_sarif
        text = render_sarif(result)
    else:
        from reports.text import render_text
        text = render_text(result, verbose_path=not quiet)
    if output:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def exit_code_for(result) -> ExitCode:
    """3 when a TU failed or was only partly analyzed (missing include, not UTF-8...): the findings may be
    incomplete, and the diagnostics say why; else 1 with findings, 0 without."""
    if result.stats.failed_tus or result.stats.degraded_tus:
        return ExitCode.INCOMPLETE
    return ExitCode.FINDINGS if result.findings else ExitCode.CLEAN


def correlate_profiles(result, profiles: list[str], binary: str | None, search: list[str]):
    if not profiles:
        return result
    try:
        from .correlate import correlate_with_files
    except ImportError:
        _fatal("profile correlation is not available in this build")
    return correlate_with_files(result, profiles, binary=binary, search_paths=search)


def cmd_scan(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    from .pipeline import InputError, run
    from .rules import RuleError
    options = _options(args, extra)
    try:
        result = run(options, progress=_progress)
    except (InputError, RuleError) as exc:
        _fatal(str(exc))
    result = correlate_profiles(result, args.profiles, args.binary, args.search_path)
    if args.fix_diff:
        write_atomic(args.fix_diff, fixes_patch(result))
    emit(result, args.format, args.output, args.single_file, args.quiet)
    for d in result.diagnostics:
        if args.format != "text" or args.output:
            print(f"leakscan: {d.file}:{d.line}: {d.severity}: {d.message}", file=sys.stderr)
    return exit_code_for(result)


def fixes_patch(result) -> str:
    """Every suggested fix as one patch that `git apply` takes from the scan root."""
    from reports.paths import relative

    from .fixes import combine_fixes, suggest_fixes
    by_file: dict[str, list] = {}
    for f in result.findings:
        by_file.setdefault(f.loc.file, []).append(f)
    diffs = []
    for path, findings in sorted(by_file.items()):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        diffs.append(suggest_fixes(findings, text, relative(path, result.root)))
    return combine_fixes(diffs)


def _load_result(path: str):
    from reports.jsonout import load_json
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fatal(f"{path}: cannot read: {exc}")
    try:
        return load_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        _fatal(f"{path}: not a leakscan JSON result ({exc.__class__.__name__}: {exc})")


def cmd_report(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    result = _load_result(args.result)
    emit(result, args.format, args.output, args.single_file)
    return exit_code_for(result)


def cmd_correlate(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    result = _load_result(args.result)
    result = correlate_profiles(result, args.profiles, args.binary, args.search_path)
    emit(result, args.format, args.output, args.single_file)
    return exit_code_for(result)


def cmd_pairs(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    try:
        from .pairs import pairs_command
    except ImportError:
        _fatal("pair inference is not available in this build")
    args.no_infer = False
    return ExitCode(pairs_command(_options(args, extra), args))


COMMANDS = {"scan": cmd_scan, "report": cmd_report, "correlate": cmd_correlate, "pairs": cmd_pairs,
            "doctor": cmd_doctor}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else
                        logging.WARNING, format="leakscan: %(message)s")
    handler = COMMANDS.get(args.command)
    if handler is None:
        handler = getattr(args, "func", None)
        if handler is None:
            parser.error(f"unknown command {args.command}")
        return int(handler(args))
    try:
        return int(handler(args, extra))
    except UserError as exc:
        print(f"leakscan: {exc}", file=sys.stderr)
        return ExitCode.INPUT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug in leakscan, not bad input
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        import traceback
        if args.verbose:
            traceback.print_exc()
        print("leakscan: internal error (a bug in leakscan); rerun with -v for details", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
