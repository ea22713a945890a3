"""`leakscan report` and `leakscan correlate`: re-render a saved JSON result, or add heap evidence to it."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from analyzer.errors import ExitCode, InputError
from analyzer.fixcheck import FixChecker
from analyzer.model import AnalysisResult

from .output import FORMATS, emit, exit_code_for, with_fixes
from .scan import correlate_profiles


def add_parsers(sub: Any) -> None:
    report = sub.add_parser("report", help="re-render a saved JSON result")
    report.add_argument("result")
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument("-o", "--output")
    report.add_argument("--single-file", action="store_true")
    report.set_defaults(run=cmd_report)
    corr = sub.add_parser("correlate", help="correlate a saved JSON result with heap profiles")
    corr.add_argument("result")
    corr.add_argument("profiles", nargs="+")
    corr.add_argument("--binary")
    corr.add_argument("--search-path", action="append", default=[])
    corr.add_argument("--format", choices=FORMATS, default="text")
    corr.add_argument("-o", "--output")
    corr.add_argument("--single-file", action="store_true")
    corr.set_defaults(run=cmd_correlate)


def load_result(path: str) -> AnalysisResult:
    from reports.jsonout import load_json
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, None, f"cannot read: {exc}") from None
    try:
        return load_json(text)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(path, None, f"not a leakscan JSON result ({exc.__class__.__name__}: {exc})") from None
    except RecursionError:
        raise InputError(path, None, "not a leakscan JSON result (nested too deeply)") from None


def _fixed(result: AnalysisResult) -> AnalysisResult:
    """The fixes the scan checked against the compiler when it has them; else fixes checked now, each file with the
    default flags of a scan without a compile database (the saved result does not keep the compile commands)."""
    if result.patch or any(f.fix is not None for f in result.findings):
        return result
    return with_fixes(result, FixChecker([]))


def cmd_report(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    result = _fixed(load_result(args.result))
    emit(result, args.format, args.output, args.single_file)
    return exit_code_for(result)


def cmd_correlate(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    result = _fixed(correlate_profiles(load_result(args.result), args.profiles, args.binary, args.search_path))
    emit(result, args.format, args.output, args.single_file)
    return exit_code_for(result)
