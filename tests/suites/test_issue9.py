"""Issue 9 suite: every shape (cause or recall item) x resource kind x leaking/leak-free, scanned through the real
pipeline; the exact {(file, line, function, ruleId)} must equal the program's `// expect:` markers (none for a
leak-free variant). Programs today's analyzer gets wrong are in KNOWN_GAPS (strict xfail: remove a program from
the list once the analysis handles it)."""
from __future__ import annotations

import pytest

from tests.suites.runner import load_programs, scan_program

PROGRAMS = [p for p in load_programs() if p.issue == 9]

KNOWN_GAPS: set[str] = set()


def _params():
    return [pytest.param(p, id=p.id, marks=[pytest.mark.xfail(strict=True, reason="known gap")]
                         if p.id in KNOWN_GAPS else []) for p in PROGRAMS]


@pytest.mark.parametrize("program", _params())
def test_program(program):
    assert scan_program(program.path).findings == program.expected()


def test_known_gaps_name_programs():
    assert KNOWN_GAPS <= {p.id for p in PROGRAMS}
