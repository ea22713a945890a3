"""libclang → IR: what the lowering produces for small snippets, and that bad input never raises."""
from __future__ import annotations

import pickle
import re
import textwrap
from pathlib import Path

import pytest

from analyzer import ir
from analyzer.frontend.compdb import jobs_from_paths
from analyzer.frontend.tu import parse_and_lower

REPO = Path(__file__).resolve().parents[2]


def lower(tmp_path: Path, source: str, name: str = "t.c", extra=()) -> ir.Module:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    (job,), _ = jobs_from_paths([str(path)], list(extra))
    return parse_and_lower(job)


def events(fn: ir.Function, kind: type) -> list:
    return [e for b in fn.blocks for e in b.events if isinstance(e, kind)]


def fn_named(module: ir.Module, name: str) -> ir.Function:
    return next(f for f in module.functions if f.name == name)


def test_function_shape(tmp_path):
    m = lower(tmp_path, """
        #include <stdlib.h>
        int f(char *in, int n) {
            char *p = malloc(n);
            if (p == NULL)
                return -1;
            free(p);
            return 0;
        }
    """)
    assert not m.degraded and not m.failed
    f = fn_named(m, "f")
    assert f.qualname == "f" and f.usr == "c:@F@f"
    assert [p.name for p in f.params] == ["in", "n"] and f.params[0].is_pointer and not f.params[1].is_pointer
    assert f.blocks[f.exit].succs == ()
    calls = [(c.callee, c.loc.line) for c in events(f, ir.Call)]
    assert calls == [("malloc", 3), ("free", 6)]
    assumes = {(a.value, a.op, a.const) for a in events(f, ir.Assume)}
    assert assumes == {(ir.Var("p"), "==", 0), (ir.Var("p"), "!=", 0)}
    assert sorted(r.loc.line for r in events(f, ir.Return)) == [5, 7]


@pytest.mark.parametrize("cond, want", [
    ("p == NULL", ("==", 0)), ("!p", ("==", 0)), ("p != 0", ("!=", 0)), ("NULL == p", ("==", 0)),
    ("fd < 0", ("<", 0)), ("fd == -1", ("==", -1)), ("-1 == fd", ("==", -1)), ("0 > fd", ("<", 0)),
    ("IS_BAD(fd)", ("<", 0)),
])
def test_validity_conditions(tmp_path, cond, want):
    m = lower(tmp_path, f"""
        #include <stddef.h>
        #define IS_BAD(x) ((x) < 0)
        int g(char *p, int fd) {{
            if ({cond})
                return 1;
            return 0;
        }}
    """)
    taken = list(events(fn_named(m, "g"), ir.Assume))
    assert (taken[0].op, taken[0].const) == want or (taken[1].op, taken[1].const) == want


def test_new_forms(tmp_path):
    m = lower(tmp_path, """
        #include <new>
        struct T { int v; T() : v(0) {} explicit T(int x) : v(x) {} };
        void f(int n, void *buf) {
            T *a = new T(n);
            T *b = new T[4];
            int *c = new (std::nothrow) int[n];
            T *d = new (buf) T(1);
            int *e = new int(3);
            delete a; delete[] b; delete[] c; delete e;
        }
    """, name="t.cpp")
    f = fn_named(m, "f")
    news = [c.callee for c in events(f, ir.Call) if c.callee.startswith(("new", "operator new"))]
    assert news == ["new", "new[]", "new[]", "operator new(placement)", "new"]
    assert [c.callee for c in events(f, ir.Call) if c.callee.startswith("delete")] == \
        ["delete", "delete[]", "delete[]", "delete"]


def test_lambda_and_methods_are_functions(tmp_path):
    m = lower(tmp_path, """
        namespace ns {
        struct S {
            S();
            ~S();
            int get() const { return 1; }
        };
        S::S() {}
        S::~S() {}
        }
        int outer() { auto l = [](int x) { return x + 1; }; return l(1); }
    """, name="t.cpp")
    kinds = {f.qualname: f.kind for f in m.functions}
    assert kinds["ns::S::S"] == "constructor" and kinds["ns::S::~S"] == "destructor"
    assert kinds["ns::S::get"] == "method" and kinds["outer"] == "function"
    assert any(k == "lambda" and q.startswith("outer::<lambda@") for q, k in kinds.items())


def test_missing_include_degrades_but_lowers(tmp_path):
    m = lower(tmp_path, """
        #include "does_not_exist.h"
        #include <stdlib.h>
        int f(int n) { char *p = malloc(n); free(p); return undeclared_thing(n); }
    """)
    assert m.degraded and not m.failed
    assert any("does_not_exist.h" in d.message for d in m.diagnostics)
    assert [c.callee for c in events(fn_named(m, "f"), ir.Call)][:2] == ["malloc", "free"]


def test_syntax_errors_and_unreadable_files_never_raise(tmp_path):
    m = lower(tmp_path, "int f( { return ; \n")
    assert m.degraded
    missing = tmp_path / "gone.c"
    missing.symlink_to(tmp_path / "nowhere.c")
    (job,), _ = jobs_from_paths([str(tmp_path / "t.c")], [])
    m2 = parse_and_lower(type(job)(str(missing), job.args, job.directory))
    assert m2.failed and "cannot read" in m2.diagnostics[0].message


def test_non_utf8_source_is_still_analyzed(tmp_path):
    path = tmp_path / "latin1.c"
    path.write_bytes("/* caf\xe9 */\n#include <stdlib.h>\nvoid f(void) { malloc(1); }\n".encode("latin-1"))
    (job,), _ = jobs_from_paths([str(path)], [])
    m = parse_and_lower(job)
    assert not m.failed
    assert [c.callee for c in events(fn_named(m, "f"), ir.Call)] == ["malloc"]


def test_module_pickles_and_round_trips_json(tmp_path):
    m = lower(tmp_path, """
        #include <stdlib.h>
        #include <stdio.h>
        struct s { char *buf; };
        int f(struct s *o, char **out, int n) {
            char *p = n > 2 ? malloc(n) : NULL;
            FILE *fp = fopen("x", "r");
            if (!p || !fp) return -1;
            o->buf = p;
            *out = (char *)&o->buf[1];
            fclose(fp);
            return 0;
        }
    """)
    assert pickle.loads(pickle.dumps(m)) == m
    assert ir.loads(ir.dumps(m)) == m


def test_only_the_frontend_imports_clang():
    pattern = re.compile(r"^\s*(from|import)\s+clang\b", re.M)
    offenders = [str(p.relative_to(REPO)) for base in ("analyzer", "reports") for p in (REPO / base).rglob("*.py")
                 if pattern.search(p.read_text()) and "frontend" not in p.parts]
    assert offenders == []
