"""bench/differential for real: gcc -fsanitize=address, LeakSanitizer on every input, leakscan through its CLI.

Hand-made programs pin the judge's mapping from an LSan stack to the site leakscan reports; a bounded run of the
generator (fixed seed) checks the whole harness and holds today's figures as a floor. Skipped, never faked, when
this machine cannot compile with ASan or LSan does not work here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.differential.generate import finish
from bench.differential.harness import Settings, evaluate, write_program
from bench.differential.program import (
    Acquire,
    Assign,
    Bound,
    CallWorker,
    Cmp,
    Func,
    Goto,
    If,
    Loop,
    Move,
    NullCheck,
    Program,
    Realloc,
    Release,
    Return,
)
from bench.differential.sanitizer import toolchain_problem

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = toolchain_problem("gcc")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(PROBLEM is not None, reason=f"no sanitizer toolchain: {PROBLEM}")]

# The bounded run below, today (leakscan of this branch): recall and false-positive rate must not get worse.
# Raise RECALL_FLOOR and lower FP_CEILING as the analysis improves; the target is 0.99 and 0.05.
BOUNDED_PROGRAMS = 24
RECALL_FLOOR = 0.97  # seed "ci", 24 programs, today: 102/104 = 98.1% (was 97/104 = 93.3%)
FP_CEILING = 0.03  # today: 2/131 = 1.5% of the judged findings (was 5/184)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    base = tmp_path_factory.mktemp("differential")
    return Settings(seed="test", work=base, cache=base / "cache")


def _program(main_body, main_locals, workers=(), inputs=1) -> Program:
    main = Func("main", "main", body=main_body, locals=main_locals)
    return Program("hand", "tt", "buf", ("new", "free", "open"), inputs, [*workers, main])


def _judged(prog: Program, settings: Settings, name: str) -> dict:
    cov = finish(prog)
    src, side = write_program(prog, cov, settings.work / "src" / name, name)
    record = evaluate(prog, cov, src, side, settings, settings.work / f"{name}-scan.json")
    assert record["status"] == "ok", record["detail"]
    assert record["errors"] == []
    return record


def _units(record):
    return [(u["chain"], u["visible"], u["found"]) for u in record["units"]]


def _verdicts(record):
    return sorted({f["verdict"] for f in record["findings"]})


def test_a_dropped_pair_is_reported_at_the_call_of_its_constructor(settings):
    body = [Acquire(1, 1, "b1", "buf", "pair_new", "tt_buf_new", ("8",)),
            If(2, Cmp("in[0]", "==", 1), [Return(3, "1")]),
            Release(4, "b1", "buf", "pair_del")]
    rec = _judged(_program(body, {"b1": "buf"}), settings, "pair")
    assert rec["runs"] == 3
    # the struct is a direct leak (chain: the malloc in tt_buf_new, handed to main's call); its member an indirect one
    assert _units(rec) == [(["L:tt_buf_new", "s1"], True, True)]
    assert _verdicts(rec) == ["confirmed"]


def test_an_owned_result_dropped_by_the_caller_is_named_by_either_call(settings):
    make = Func("make_name", "ret", "heap", locals={"p1": "heap"},
                body=[Acquire(10, 2, "p1", "heap", "strdup", "strdup", ('"x"',)), Return(11, "p1")])
    body = [Acquire(12, 3, "p2", "heap", "worker_ret", "make_name", ("in",)),
            If(13, Cmp("in[0]", "==", 2), [Return(14, "1")]),
            Release(15, "p2", "heap", "free")]
    rec = _judged(_program(body, {"p2": "heap"}, [make]), settings, "ret")
    assert _units(rec) == [(["s2", "s3"], True, True)]
    assert _verdicts(rec) == ["confirmed"]


def test_file_and_descriptor_leaks_are_not_scored(settings):
    body = [Acquire(1, 1, "f1", "file", "fopen", "fopen", ('"/dev/null"', '"r"')),
            Acquire(2, 2, "fd2", "fd", "open", "open", ('"/dev/null"', "O_RDONLY")),
            If(3, Cmp("in[0]", "!=", 0), [Return(4, "1")]),
            Release(5, "f1", "file", "fclose"), Release(6, "fd2", "fd", "close")]
    rec = _judged(_program(body, {"f1": "file", "fd2": "fd"}), settings, "files")
    assert rec["units"] == []
    assert rec["findings"] and _verdicts(rec) == ["unjudgeable:not-heap"]


def test_a_leak_through_a_function_pointer_is_labelled_beyond_static_view(settings):
    body = [Acquire(1, 1, "p1", "heap", "indirect", "tt_ops.make", ('"x"',)),
            If(2, Cmp("in[0]", "==", 1), [Return(3, "1")]),
            Release(4, "p1", "heap", "indirect_drop")]
    rec = _judged(_program(body, {"p1": "heap"}), settings, "indirect")
    assert [(c, v) for c, v, _found in _units(rec)] == [(["L:tt_strdup", "s1"], False)]


def test_allocation_failure_paths_are_not_scored(settings):
    # p = realloc(p, n) loses p only when realloc fails; p1 leaks only when strdup fails (cleanup frees p2 only)
    body = [Acquire(1, 1, "p1", "heap", "malloc", "malloc", ("8",)),
            Realloc(2, 2, "p1", 64),
            Release(3, "p1", "heap", "free")]
    worker = Func("load_entry", "status", goto_style=True, locals={"p1": "heap", "p2": "heap"}, cleanup=["p2"],
                  body=[Acquire(20, 3, "p1", "heap", "malloc", "malloc", ("4",)),
                        NullCheck(21, "p1", "heap", [Goto(22)], failure_only=True),
                        Acquire(23, 4, "p2", "heap", "strdup", "strdup", ('"x"',)),
                        NullCheck(24, "p2", "heap", [Goto(25)], failure_only=True),
                        Release(26, "p1", "heap", "free", nullify=True),
                        Assign(27, "rc", "0")])
    rec = _judged(_program([*body, CallWorker(30, "load_entry", ("in",))], {"p1": "heap"}, [worker]),
                  settings, "failure")
    assert rec["units"] == []
    assert set(_verdicts(rec)) <= {"unjudgeable:allocation-failure"}
    assert any(f["rule_id"] == "leak-on-overwrite" for f in rec["findings"])


def test_a_store_into_a_struct_field_overwritten_in_a_loop_is_a_leak_the_analysis_can_see(settings):
    body = [Loop(1, "i", Bound("in", 0), [Acquire(2, 1, "p1", "heap", "malloc", "malloc", ("8",), decl=True),
                                          Move(3, "st.a", "p1", "heap", "field_local")]),
            Release(4, "st.a", "heap", "free", nullify=True)]
    main = Func("main", "main", body=body, struct_local=True)
    rec = _judged(Program("hand", "tt", "buf", ("new", "free", "open"), 1, [main]), settings, "field")
    # in[0] == 2: the first block is overwritten in st.a; whether leakscan reports it is what the bench measures
    assert [(c, v) for c, v, _found in _units(rec)] == [(["s1"], True)]
    assert rec["units"][0]["inputs"] == [[2]]


def test_bounded_run(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "bench.differential", "-n", str(BOUNDED_PROGRAMS), "--seed", "ci",
                           "-j", "2", "-o", str(out), "--cache", str(tmp_path / "cache"), "--minimize", "0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "recall:" in proc.stdout and "false positives:" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    s = report["summary"]
    assert s["statuses"] == {"ok": BOUNDED_PROGRAMS}, [r["detail"] for r in report["records"] if r["detail"]]
    assert s["judge_errors"] == []
    assert s["leaks"] >= 3 * BOUNDED_PROGRAMS  # LSan really saw leaks
    assert s["confirmed"] >= 3 * BOUNDED_PROGRAMS
    for r in report["records"]:
        assert Path(r["source"]).exists()
        for f in r["findings"]:
            assert f["verdict"] in ("confirmed", "false-positive", "unjudgeable:not-heap",
                                    "unjudgeable:allocation-failure")
    assert s["recall"] >= RECALL_FLOOR, proc.stdout
    assert s["false_positive_rate"] <= FP_CEILING, proc.stdout
