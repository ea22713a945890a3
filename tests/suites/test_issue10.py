"""Issue 10 suite: a project's own API per cause (1-10), leaking variant and fixed variant with the same decoys.
Findings must equal the `// expect:` markers; pairs.toml lists the pairs the scan must use (acquirer, releaser,
1-based argument) and functions no pair may use. KNOWN_GAPS / KNOWN_PAIR_GAPS: strict xfail, shrink them as the
analysis improves."""
from __future__ import annotations

import pytest

from tests.suites.runner import load_programs, scan_program

PROGRAMS = [p for p in load_programs() if p.issue == 10]
WITH_PAIRS = [p for p in PROGRAMS if p.variant == "leak" and (p.path / "pairs.toml").exists()]

KNOWN_GAPS: set[str] = {
    "api08_borrow_bodies-api-leak",
    "api08_borrow_declarations-api-leak",
}
KNOWN_PAIR_GAPS: set[str] = set()


def _params(programs, gaps):
    return [pytest.param(p, id=p.id, marks=[pytest.mark.xfail(strict=True, reason="known gap")]
                         if p.id in gaps else []) for p in programs]


@pytest.mark.parametrize("program", _params(PROGRAMS, KNOWN_GAPS))
def test_program(program):
    assert scan_program(program.path).findings == program.expected()


@pytest.mark.parametrize("program", _params(WITH_PAIRS, KNOWN_PAIR_GAPS))
def test_pairs(program):
    want, never = program.expected_pairs()
    got = scan_program(program.path).pairs
    assert sorted(want - got) == []
    assert sorted(p for p in got if p[0] in never or p[1] in never) == []


def test_known_gaps_name_programs():
    assert KNOWN_GAPS <= {p.id for p in PROGRAMS}
    assert KNOWN_PAIR_GAPS <= {p.id for p in WITH_PAIRS}


def test_every_pairs_file_names_pairs_and_decoys():
    for p in WITH_PAIRS:
        want, never = p.expected_pairs()
        assert want and never, p.id
        assert not {f for pair in want for f in pair[:2]} & never, p.id
