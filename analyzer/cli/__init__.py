"""Command line: argparse, exit codes, and the only place that does user I/O."""
from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from analyzer.errors import ExitCode, InputError

from . import doctor, pairs, profile, results, scan, watch, workflow

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leakscan", description="Find resource leaks in C and C++ code.")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    sub = parser.add_subparsers(dest="command", required=True)
    scan.add_parser(sub)
    pairs.add_parser(sub)
    results.add_parsers(sub)
    profile.add_parser(sub)
    doctor.add_parser(sub)
    watch.add_parser(sub)
    workflow.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else
                        logging.WARNING, format="leakscan: %(message)s")
    try:
        return int(args.run(args, extra))
    except InputError as exc:
        print(f"leakscan: {exc}", file=sys.stderr)
        return ExitCode.INPUT_ERROR
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception:  # a bug in leakscan, not bad input
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        if args.verbose:
            traceback.print_exc()
        print("leakscan: internal error (a bug in leakscan); rerun with -v for details", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
