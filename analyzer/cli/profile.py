"""`leakscan profile show|diff`: read heap profiles and leak reports on their own."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from analyzer.errors import ExitCode, InputError
from analyzer.profiles.diff import diff_profiles
from analyzer.profiles.growth import score_growth
from analyzer.profiles.model import Profile
from analyzer.profiles.prepare import open_profile, open_series
from analyzer.profiles.report import render_diff, render_growth, render_show
from analyzer.profiles.symbolize import SymbolizeOptions


def _options(args: argparse.Namespace) -> SymbolizeOptions:
    return SymbolizeOptions(
        binary=getattr(args, "binary", None),
        search_path=tuple(getattr(args, "search_path", None) or ()),
    )


def _open(path: str, args: argparse.Namespace) -> Profile:
    return open_profile(path, _options(args), tuple(getattr(args, "fold", None) or ()))


def cmd_show(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    """`leakscan profile show FILE [--binary BIN] [--search-path DIR] [--top N]`.

    A file that records snapshots over time (massif) shows its last one, then the growth over all.
    """
    top = getattr(args, "top", 10) or 10
    series = open_series(args.file, _options(args), tuple(getattr(args, "fold", None) or ()))
    text = render_show(series[-1], top)
    if len(series) >= 3:
        metric = getattr(args, "metric", None) or "inuse_space"
        try:
            point = series[-1].series_point
            step = {"i": "instruction", "B": "byte allocated"}.get(point.unit if point else "", "snapshot")
            text += "\n" + render_growth(score_growth(series, metric), top, step)
        except ValueError as exc:
            raise InputError(args.file, None, str(exc)) from None
    sys.stdout.write(text)
    return ExitCode.CLEAN


def cmd_diff(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    """`leakscan profile diff BASE NEW... [--binary BIN]`: diff BASE→last NEW; growth with 3+."""
    top = getattr(args, "top", 10) or 10
    metric = getattr(args, "metric", None) or "inuse_space"
    profiles = [_open(p, args) for p in [args.base, *args.new]]
    try:
        d = diff_profiles(profiles[0], profiles[-1], metric)
        text = render_diff(d, profiles[0], profiles[-1], top)
        if len(profiles) >= 3:
            text += "\n" + render_growth(score_growth(profiles, metric), top)
    except ValueError as exc:  # profiles that cannot be compared
        raise InputError(args.base, None, str(exc)) from None
    sys.stdout.write(text)
    return ExitCode.CLEAN


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--binary", metavar="BIN", help="the profiled executable (if not at its recorded path)")
    p.add_argument("--search-path", metavar="DIR", action="append", default=[],
                   help="directory to search for the executable and shared libraries (repeatable)")
    p.add_argument("--top", metavar="N", type=int, default=10, help="rows per table (default 10)")
    p.add_argument("--metric", default="inuse_space",
                   choices=["inuse_space", "inuse_objects", "alloc_space", "alloc_objects"],
                   help="value to compare (default inuse_space)")
    p.add_argument("--fold", metavar="REGEX", action="append", default=[],
                   help="also fold allocation-wrapper functions matching REGEX (repeatable)")


def add_parser(subparsers: Any) -> None:
    """Register `profile show` and `profile diff`."""
    profile = subparsers.add_parser("profile", help="read heap profiles and leak reports")
    sub = profile.add_subparsers(dest="profile_command", required=True)
    show = sub.add_parser("show", help="top functions and allocation sites of one profile")
    show.add_argument("file", metavar="FILE")
    _common(show)
    show.set_defaults(run=cmd_show)
    diff = sub.add_parser("diff", help="growth between snapshots, keyed by symbolized stack")
    diff.add_argument("base", metavar="BASE")
    diff.add_argument("new", metavar="NEW", nargs="+")
    _common(diff)
    diff.set_defaults(run=cmd_diff)
