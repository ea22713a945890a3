"""`leakscan doctor`: libclang, the builtin headers it gets, the include search lists, and whether they fit."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from analyzer.errors import ExitCode
from analyzer.frontend.doctor import doctor_report

from .scan import add_resource_dir_arg


def add_parser(sub: Any) -> None:
    p = sub.add_parser("doctor", help="show libclang, its builtin headers and include paths, and if they fit")
    add_resource_dir_arg(p)
    p.set_defaults(run=cmd_doctor)


def cmd_doctor(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    text, ok = doctor_report(args.resource_dir)
    sys.stdout.write(text)
    return ExitCode.CLEAN if ok else ExitCode.FINDINGS
