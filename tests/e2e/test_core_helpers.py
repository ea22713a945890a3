"""Helpers for the core snippet tests (no tests here): expectations written next to the line they name.

A snippet marks each line that must carry a finding with a trailing comment
``// expect: <ruleId> in <function>``; `expected()` turns the markers into the exact
{(file, line, function, ruleId)} set that `tests.conftest.brief()` returns, so inserting a
line in a snippet never silently shifts an expectation.
"""
from __future__ import annotations

import re
import textwrap

MARK = re.compile(r"//\s*expect:\s*(?P<rule>[a-z-]+)\s+in\s+(?P<func>\S+)")


def source(text: str) -> str:
    """The snippet exactly as `scan_sources` writes it (dedented, leading newline dropped)."""
    return textwrap.dedent(text).lstrip("\n")


def expected(name: str, text: str) -> set[tuple[str, int, str, str]]:
    out = set()
    for n, line in enumerate(source(text).splitlines(), 1):
        for m in MARK.finditer(line):
            out.add((name, n, m.group("func"), m.group("rule")))
    return out


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of the snippet containing `needle`."""
    for n, line in enumerate(source(text).splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in snippet")
