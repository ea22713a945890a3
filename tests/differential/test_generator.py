"""The program generator of bench/differential: deterministic, safe on every input, no dead code, every shape."""
from __future__ import annotations

import re

import pytest

from bench.differential import sidecar as sidecar_mod
from bench.differential.generate import generate
from bench.differential.interp import Coverage, all_inputs, explore
from bench.differential.minimize import apply_edit, minimize
from bench.differential.program import (
    Acquire,
    Bound,
    Cmp,
    Func,
    If,
    Loop,
    NullCheck,
    Program,
    Release,
    Return,
    Stmt,
    walk,
)
from bench.differential.render import render
from bench.differential.shapes import site_tags

SAMPLE = range(60)


@pytest.fixture(scope="module")
def sample():
    return [generate("unit", i) for i in SAMPLE]


def test_same_seed_same_program():
    for i in (0, 7, 19):
        a, b = generate("unit", i), generate("unit", i)
        assert render(a[0]).text == render(b[0]).text
    assert render(generate("unit", 1)[0]).text != render(generate("unit", 2)[0]).text


def _unreached(stmts: list[Stmt], cov: Coverage, top: bool = True) -> list[Stmt]:
    """Statements no input executes, outside failure-only blocks (and a function's final return)."""
    out = []
    for n, s in enumerate(stmts):
        if top and n == len(stmts) - 1 and isinstance(s, Return):
            continue
        if s.id not in cov.executed:
            out.append(s)
            continue
        if isinstance(s, If):
            out += _unreached(s.then, cov, False) + _unreached(s.els or [], cov, False)
        elif isinstance(s, Loop):
            out += _unreached(s.body, cov, False)
        elif isinstance(s, NullCheck) and not s.failure_only:
            out += _unreached(s.body, cov, False)
    return out


def test_programs_are_safe_and_have_no_dead_code(sample):
    for prog, _cov in sample:
        cov = explore(prog)  # raises UndefinedBehaviour on a double release, a use after release, ...
        for f in prog.funcs:
            assert _unreached(f.body, cov) == [], f"{prog.seed} {f.name}"


def test_each_acquiring_call_sits_alone_on_its_line(sample):
    for prog, _cov in sample:
        r = render(prog)
        lines = r.text.splitlines()
        seen = set()
        for key, site in r.sites.items():
            assert (site.func, site.line) not in seen, key
            seen.add((site.func, site.line))
            text = lines[site.line - 1]
            callee = site.callee.split(".")[-1] if site.kind != "ctxfill" else site.callee
            assert callee in text, (prog.seed, key, text)
            assert len(re.findall(r"\b(?:malloc|calloc|strdup|realloc|fopen|open)\(", text)) <= 1, text


def test_the_sample_covers_every_shape_the_issue_names(sample):
    shapes = set()
    for prog, _cov in sample:
        shapes.update(sidecar_mod.program_shapes(prog, site_tags(prog)))
    wanted = {
        "acquire:malloc", "acquire:calloc", "acquire:strdup", "realloc-self", "realloc-tmp", "acquire:fopen",
        "acquire:open", "acquire:wrap_strdup", "acquire:wrap_xmalloc", "acquire:pair_new", "acquire:ctx_new",
        "acquire:out_ctor", "acquire:worker_ret", "acquire:worker_out", "acquire:indirect", "proto:ret", "proto:out",
        "proto:status", "proto:ctxfill", "branch", "loop-const", "loop-input", "goto-cleanup", "continue", "break",
        "store:global", "store:field_local", "store:field_heap", "store:out", "store:alias", "null-check",
        "release:free", "release:pair_del", "release:fclose", "release:close", "release:take", "release:xfree",
        "exit-owned:return", "overwritten", "release-in-branch",
    }
    assert wanted - shapes == set()


def test_sidecar_hand_outs_come_from_the_runs(sample):
    """A function returning or storing into *out a site's object hands that site out; the others do not."""
    checked = 0
    for prog, cov in sample:
        r = render(prog)
        side = sidecar_mod.make(prog, r, cov, site_tags(prog), "x.c")
        for f in prog.funcs:
            if f.proto in ("ret", "out"):
                handed = set(side["handouts"].get(f.name, ()))
                own = {k for k, s in side["sites"].items() if s["func"] == f.name}
                assert handed <= own
                checked += bool(handed)
            elif f.proto in ("status", "main"):
                assert f.name not in side["handouts"]
    assert checked > 10


def test_every_input_vector_is_enumerated():
    prog = generate("unit", 3)[0]
    vecs = all_inputs(prog)
    assert len(vecs) == 3 ** prog.inputs and len(set(vecs)) == len(vecs)


def _tiny() -> Program:
    body: list[Stmt] = [
        Acquire(1, 1, "p1", "heap", "malloc", "malloc", ("8",)),
        If(2, Cmp("in[0]", "==", 1),
           [Acquire(3, 2, "p2", "heap", "strdup", "strdup", ('"x"',)), Release(4, "p2", "heap", "free")]),
        Loop(5, "i", Bound("const", 2),
             [Acquire(6, 3, "p3", "heap", "calloc", "calloc", ("2", "8")), Release(7, "p3", "heap", "free")]),
        Release(8, "p1", "heap", "free"),
    ]
    main = Func("main", "main", body=body, locals={"p1": "heap", "p2": "heap", "p3": "heap"})
    return Program("tiny", "tt", "buf", ("new", "free", "open"), 1, [main])


def test_minimizer_removes_what_the_predicate_does_not_need():
    prog = _tiny()
    keep_site = 3  # the calloc in the loop

    def holds(p: Program) -> bool:
        explore(p)
        return any(getattr(s, "site", None) == keep_site for f in p.funcs for s in walk(f.body))

    small = minimize(prog, holds, budget=30)
    left = list(walk(small.funcs[0].body))
    assert [type(s).__name__ for s in left] == ["Loop", "Acquire"]
    assert left[0].bound == Bound("const", 1) and left[1].site == keep_site


def test_edits_keep_statement_ids():
    prog = _tiny()
    assert apply_edit(prog, 2, "then") is not None
    unrolled = apply_edit(prog, 5, "once")
    assert [s.bound.value for s in unrolled.funcs[0].body if isinstance(s, Loop)] == [1]
    assert apply_edit(prog, 99, "delete") is None
    assert apply_edit(prog, 1, "then") is None  # an acquisition has no branch to keep
