"""The judge's rules on small hand-made cases: ownership chains, confirmation, what is unjudgeable."""
from __future__ import annotations

from bench.differential.judge import judge, on_failure_path
from bench.differential.leakscan_cli import Branch, Finding, ScanResult
from bench.differential.sanitizer import Frame, Leak, RunResult
from bench.differential.sidecar import Sidecar


def _site(func, line, kind, cls="heap", callee="", sig=None):
    return {"func": func, "line": line, "cls": cls, "kind": kind, "callee": callee or kind, "tags": [],
            "signature": sig or f"{kind}[]"}


def _side(handouts=None, failure_lines=(), failure_checks=None, realloc_self=()) -> Sidecar:
    sites = {
        "L:xx_buf_new": _site("xx_buf_new", 15, "lib", callee="malloc", sig="lib:xx_buf_new"),
        "L:xx_buf_new:data": _site("xx_buf_new", 18, "lib", callee="calloc", sig="lib:xx_buf_new:data"),
        "s2": _site("make", 40, "pair_new", callee="xx_buf_new"),
        "s3": _site("make", 44, "malloc"),
        "s5": _site("main", 70, "worker_ret", callee="make"),
        "s6": _site("main", 72, "fopen", cls="file"),
        "s7": _site("main", 74, "indirect", callee="xx_ops.make"),
        "s8": _site("main", 76, "malloc"),
        "s9": _site("main", 78, "strdup"),
    }
    return Sidecar({"label": "t", "index": 0, "source": "t.c", "inputs": 1, "domain": 3, "functions": {},
                    "shapes": [], "sites": sites,
                    "handouts": handouts if handouts is not None else {"xx_buf_new": ["L:xx_buf_new"],
                                                                       "make": ["s2"]},
                    "failure_lines": list(failure_lines), "failure_checks": failure_checks or {},
                    "realloc_self_lines": list(realloc_self)})


def _leak(*frames, direct=True) -> Leak:
    return Leak(direct, tuple(Frame(f, "t.c", line) for f, line in frames))


def _finding(function, acquire_line, rule="resource-leak", line=99, branches=()) -> Finding:
    return Finding(rule, function, line, acquire_line, "", "", "", "", tuple(Branch(*b) for b in branches))


def _scan(*findings) -> ScanResult:
    return ScanResult(tuple(findings), (), 1 if findings else 0, "")


BUF_VIA_MAKE = _leak(("xx_buf_new", 15), ("make", 40), ("main", 70))
DATA_VIA_MAKE = _leak(("xx_buf_new", 18), ("make", 40), ("main", 70), direct=False)


def test_chain_follows_hand_outs_to_the_caller_that_owns_the_object():
    v = judge(_side(), [RunResult((1,), (BUF_VIA_MAKE, DATA_VIA_MAKE), "")], _scan(_finding("main", 70)))
    assert [(u.chain, u.found) for u in v.units] == [(["L:xx_buf_new", "s2", "s5"], True)]  # the indirect is no unit
    assert [f.verdict for f in v.findings] == ["confirmed"]
    assert v.errors == []


def test_a_finding_at_any_site_of_the_chain_names_the_leak():
    v = judge(_side(), [RunResult((1,), (BUF_VIA_MAKE,), "")], _scan(_finding("make", 40)))
    assert v.units[0].found and v.findings[0].verdict == "confirmed"


def test_the_chain_stops_where_the_object_is_not_handed_out():
    side = _side(handouts={"xx_buf_new": ["L:xx_buf_new"]})  # make() never returns what it got at line 40
    v = judge(side, [RunResult((1,), (BUF_VIA_MAKE,), "")], _scan(_finding("main", 70)))
    assert [(u.chain, u.found) for u in v.units] == [(["L:xx_buf_new", "s2"], False)]
    assert v.findings[0].verdict == "false-positive"


def test_an_indirect_leak_confirms_a_finding():
    v = judge(_side(), [RunResult((0,), (_leak(("main", 76), direct=False),), "")], _scan(_finding("main", 76)))
    assert v.units == [] and v.findings[0].verdict == "confirmed"


def test_unjudgeable_findings():
    side = _side(failure_lines=[81], failure_checks={"80": "!p8"}, realloc_self=[90])
    scan = _scan(_finding("main", 72),  # FILE*: LSan cannot see it
                 _finding("main", 76, line=81),  # exits inside `if (!p8) {...}`
                 _finding("main", 78, branches=[(80, "assuming 'p8' is false")]),  # assumes the allocation failed
                 _finding("main", 9, rule="leak-on-overwrite", line=90),  # p = realloc(p, n)
                 _finding("main", 76, branches=[(80, "assuming 'p8' is true")]))  # the success side: judged
    v = judge(side, [RunResult((0,), (), "")], scan)
    assert [f.verdict for f in v.findings] == ["unjudgeable:not-heap", "unjudgeable:allocation-failure",
                                               "unjudgeable:allocation-failure", "unjudgeable:allocation-failure",
                                               "false-positive"]


def test_failure_side_of_descriptor_and_status_checks():
    side = _side(failure_checks={"80": "fd3 < 0", "82": "xx_buf_open(8, &b1) != 0"})
    assert on_failure_path(_finding("main", 76, branches=[(80, "assuming 'fd3 < 0' is true")]), side)
    assert on_failure_path(_finding("main", 76, branches=[(80, "assuming 'fd3 >= 0' is false")]), side)
    assert not on_failure_path(_finding("main", 76, branches=[(80, "assuming 'fd3 < 0' is false")]), side)
    assert on_failure_path(_finding("main", 76, branches=[(82, "assuming 'xx_buf_open(8, &b1) != 0' is true")]),
                           side)


def test_a_chain_through_a_function_pointer_is_beyond_static_view():
    side = _side(handouts={"xx_strdup": ["L:xx_strdup"]})
    side.data["sites"]["L:xx_strdup"] = _site("xx_strdup", 30, "lib", callee="malloc", sig="lib:xx_strdup")
    side.__post_init__()
    v = judge(side, [RunResult((2,), (_leak(("xx_strdup", 30), ("main", 74)),), "")], _scan())
    assert [(u.chain, u.visible, u.found) for u in v.units] == [(["L:xx_strdup", "s7"], False, False)]


def test_misuse_rules_are_false_positives_on_programs_that_run_clean():
    v = judge(_side(), [RunResult((0,), (), "")], _scan(_finding("main", 76, rule="double-release")))
    assert v.findings[0].verdict == "false-positive"


def test_a_stack_naming_no_site_is_a_judge_error():
    v = judge(_side(), [RunResult((0,), (_leak(("main", 71)),), "")], _scan())
    assert v.units == [] and len(v.errors) == 1 and "main:71" in v.errors[0]


def test_misuse_claims_on_streams_and_descriptors_are_not_scored():
    """ASan watches free(), not fclose() or close(): a double fclose claim can be neither confirmed nor refuted."""
    v = judge(_side(), [RunResult((0,), (), "")], _scan(_finding("main", 72, rule="double-release")))
    assert v.findings[0].verdict == "unjudgeable:not-heap"
