"""The generated suite itself: committed files equal the generator's output, every program compiles with gcc's
defaults, markers sit where the variants say, and leaking variants really leak (LeakSanitizer, on a sample)."""
from __future__ import annotations

from collections import defaultdict

import pytest

from tests.suites.build import LEAK_BANNER, compilers_present, run_with_lsan, syntax_errors
from tests.suites.gen_programs import build, on_disk
from tests.suites.runner import load_programs

PROGRAMS = load_programs()
needs_gcc = pytest.mark.skipif(not compilers_present(), reason="gcc/g++ not installed")


def test_committed_programs_are_the_generators_output():
    want, have = build(), on_disk()
    assert sorted(set(want) ^ set(have)) == []
    assert sorted(k for k in want if want[k] != have[k]) == []


def test_issue9_suite_size_and_variants():
    nine = [p for p in PROGRAMS if p.issue == 9]
    assert len(nine) >= 200
    assert {p.lang for p in nine} == {"c", "cpp"}
    variants = defaultdict(set)
    kinds = defaultdict(set)
    for p in nine:
        variants[p.shape].add(p.variant)
        kinds[p.shape].add(p.kind)
    assert all(v == {"leak", "clean"} for v in variants.values())
    assert all(len(k) >= 2 for k in kinds.values())


def test_markers_only_in_leaking_variants():
    for p in PROGRAMS:
        assert bool(p.expected()) == (p.variant == "leak"), p.id


def test_every_issue10_cause_has_a_program():
    causes = {p.shape[3:5] for p in PROGRAMS if p.issue == 10}
    assert causes == {f"{n:02d}" for n in range(1, 11)}


@needs_gcc
@pytest.mark.parametrize("shape", sorted({p.shape for p in PROGRAMS}))
def test_every_program_compiles(shape):
    """gcc/g++ -fsyntax-only with no -std flag (gcc's gnu defaults), one compiler run per shape and language."""
    sources = [s for p in PROGRAMS if p.shape == shape for s in p.sources() if s.suffix in (".c", ".cpp")]
    assert sources
    for lang, suffix in (("c", ".c"), ("cpp", ".cpp")):
        assert syntax_errors([s for s in sources if s.suffix == suffix], lang) == ""


def _runtime_sample():
    """Per shape, the first heap kind in both variants: the leaking one must leak, the leak-free one must not."""
    seen = set()
    out = []
    for p in PROGRAMS:
        if not (p.heap and p.links) or (p.shape, p.variant) in seen:
            continue
        if p.variant == "leak" and not p.runtime_leak:
            continue
        seen.add((p.shape, p.variant))
        out.append(pytest.param(p, id=p.id))
    return out


@needs_gcc
@pytest.mark.slow
@pytest.mark.parametrize("program", _runtime_sample())
def test_leaks_are_real(program, tmp_path):
    proc = run_with_lsan(program, tmp_path)
    assert "AddressSanitizer" not in proc.stderr.replace("SUMMARY: AddressSanitizer: ", ""), proc.stderr
    assert (LEAK_BANNER in proc.stderr) == (program.variant == "leak"), proc.stderr
