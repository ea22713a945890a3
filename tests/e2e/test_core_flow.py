"""Issue 2 §2/§4 control flow and validity checks: each construct with a leak and a decoy that must stay quiet."""
from __future__ import annotations

import pytest

from tests.conftest import brief
from tests.e2e.test_core_detect import C_HEADERS, CXX_HEADERS
from tests.e2e.test_core_helpers import expected, line_of

C_CASES: dict[str, str] = {}

C_CASES["conditional_operator"] = """
int pick(int n) {
    char *p = n > 0 ? malloc(n) : NULL;
    if (!p)
        return -1;
    if (n > 8)
        return -2;  // expect: resource-leak in pick
    free(p);
    return 0;
}
int pick_ok(int n, char *fallback) {
    char *p = malloc(n);
    char *use = p ? p : fallback;
    memset(use, 0, 1);
    free(p);
    return 0;
}
"""

C_CASES["and_or_conditions"] = """
int either(int n, int m) {
    char *p = malloc(n);
    if (p == NULL || m < 0) {
        free(p);
        return -1;
    }
    if (m > 0 && n > m)
        return -2;  // expect: resource-leak in either
    free(p);
    return 0;
}
int both_ok(int n, int m) {
    char *p = malloc(n);
    if (p != NULL && m > 0) {
        free(p);
        return 1;
    }
    free(p);
    return 0;
}
"""

C_CASES["do_while_zero_macros"] = """
#define CHECK(x) do { if (!(x)) return -1; } while (0)
#define FREE(p) do { free(p); (p) = NULL; } while (0)
int guarded(int n) {
    char *p = malloc(n);
    CHECK(p);
    CHECK(n < 100);  // expect: resource-leak in guarded
    FREE(p);
    return 0;
}
int guarded_ok(int n) {
    char *p = malloc(n);
    CHECK(p);
    FREE(p);
    return 0;
}
"""

C_CASES["operators_and_else_inside_macro_bodies"] = """
#define IS_NULL(x) ((x) == NULL)
#define BAD_FD(fd) ((fd) < 0)
#define LIMIT 4096
#define RELEASE_OR_FAIL(p, ok) do { if (ok) free(p); else { free(p); return -1; } } while (0)
int null_macro(int n) {
    char *p = malloc(n);
    if (IS_NULL(p))
        return -1;
    if (n > LIMIT)
        return -2;  // expect: resource-leak in null_macro
    free(p);
    return 0;
}
int fd_macro(const char *path) {
    int fd = open(path, O_RDONLY);
    if (BAD_FD(fd))
        return -1;
    close(fd);
    return 0;
}
int else_in_macro(int n) {
    char *p = malloc(n);
    RELEASE_OR_FAIL(p, n > 2);
    return 0;
}
"""

C_CASES["break_leaves_the_innermost_loop"] = """
int forever(int n) {
    char *p = malloc(n);
    if (!p) return -1;
    while (1) {
        if (n-- < 0)
            break;
    }
    return 0;  // expect: resource-leak in forever
}
int loop_in_switch(int k, int n) {
    char *p = malloc(n);
    if (!p) return -1;
    switch (k) {
    case 1:
        for (int i = 0; i < n; i++) {
            if (i > 3)
                break;
        }
        return 1;  // expect: resource-leak in loop_in_switch
    default:
        break;
    }
    free(p);
    return 0;
}
int break_ok(int n) {
    char *p = malloc(n);
    do {
        if (!p) break;
        memset(p, 0, n);
    } while (0);
    free(p);
    return 0;
}
"""

C_CASES["switch_fallthrough"] = """
int fall_ok(int k) {
    char *p = malloc(8);
    if (!p) return -1;
    switch (k) {
    case 0:
        memset(p, 0, 8);
        /* fallthrough */
    case 1:
        free(p);
        break;
    default:
        free(p);
        return 2;
    }
    return 0;
}
int fall_leak(int k) {
    char *p = malloc(8);
    if (!p) return -1;
    switch (k) {
    case 0:
        free(p);
        /* fallthrough */
    case 1:
        return 1;  // expect: resource-leak in fall_leak
    default:
        break;
    }
    free(p);
    return 0;
}
"""

C_CASES["assignment_in_condition"] = """
int assign_ok(int n) {
    char *p;
    if ((p = malloc(n)) == NULL)
        return -1;
    free(p);
    return 0;
}
int assign_leak(const char *path, int n) {
    int fd;
    if ((fd = open(path, O_RDONLY)) < 0)
        return -1;
    if (n == 0)
        return 0;  // expect: resource-leak in assign_leak
    close(fd);
    return 1;
}
"""

C_CASES["fd_equals_minus_one"] = """
int minus_one_ok(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd == -1)
        return -1;
    close(fd);
    return 0;
}
int minus_one_leak(const char *path, int flag) {
    int fd = open(path, O_RDONLY);
    if (fd == -1)
        return -1;
    if (flag)
        return -2;  // expect: resource-leak in minus_one_leak
    close(fd);
    return 0;
}
"""

C_CASES["gnu_noreturn_attribute"] = """
__attribute__((noreturn)) void fatal(const char *msg);
int need(int n) {
    char *p = malloc(n);
    if (!p)
        fatal("out of memory");
    if (n > 64)
        fatal("too big");
    free(p);
    return 0;
}
int need_leak(int n) {
    char *p = malloc(n);
    if (!p)
        fatal("out of memory");
    if (n > 64)
        return -1;  // expect: resource-leak in need_leak
    free(p);
    return 0;
}
"""

C_CASES["validity_refines_only_its_own_handle"] = """
int two(const char *path) {
    FILE *f = fopen(path, "r");
    int fd = open(path, O_RDONLY);
    if (f == NULL)
        return -1;  // expect: resource-leak in two
    if (fd < 0) {
        fclose(f);
        return -1;
    }
    close(fd);
    fclose(f);
    return 0;
}
"""

CXX_CASES: dict[str, str] = {}

CXX_CASES["not_equal_nullptr"] = """
#include <new>
int guarded(int n) {
    int *p = new (std::nothrow) int[n];
    if (p != nullptr) {
        p[0] = 1;
        delete[] p;
    }
    return 0;
}
int guarded_leak(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (p != nullptr) {
        if (n > 3)
            return 1;  // expect: resource-leak in guarded_leak
        std::free(p);
    }
    return 0;
}
"""

CXX_CASES["try_catch"] = """
#include <stdexcept>
void work(int n);
int caught(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (!p) return -1;
    try {
        work(n);
    } catch (const std::exception &) {
        std::free(p);
        return -1;
    }
    std::free(p);
    return 0;
}
int caught_leak(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (!p) return -1;
    try {
        work(n);
    } catch (...) {
        return -1;  // expect: resource-leak in caught_leak
    }
    std::free(p);
    return 0;
}
"""

CXX_CASES["throw_ends_path"] = """
#include <stdexcept>
int strict(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (!p)
        throw std::bad_alloc();
    if (n > 10)
        throw std::invalid_argument("n");
    std::free(p);
    return 0;
}
"""

CXX_CASES["cxx11_noreturn_attribute"] = """
[[noreturn]] void die(const char *why);
namespace util { [[noreturn]] void panic(int code) { std::exit(code); } }
int need(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (!p)
        die("oom");
    if (n > 64)
        util::panic(2);
    std::free(p);
    return 0;
}
"""

LAMBDAS = """
int outer(int n) {
    auto leaky = [](int m) {
        char *p = static_cast<char *>(std::malloc(m));
        if (m > 2)
            return;
        std::free(p);
    };
    auto fine = [](int m) {
        char *p = static_cast<char *>(std::malloc(m));
        std::free(p);
    };
    leaky(n);
    fine(n);
    return 0;
}
"""

CXX_CASES["lambda_capture_releases"] = """
int outer(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    auto done = [&p]() { std::free(p); p = nullptr; };
    if (n > 3) {
        done();
        return 1;
    }
    done();
    return 0;
}
"""


@pytest.mark.parametrize("case", sorted(C_CASES))
def test_c_flow(scan, case):
    text = C_HEADERS + C_CASES[case]
    assert brief(scan(text, "snippet.c")) == expected("snippet.c", text)


@pytest.mark.parametrize("case", sorted(CXX_CASES))
def test_cxx_flow(scan, case):
    text = CXX_HEADERS + CXX_CASES[case]
    assert brief(scan(text, "snippet.cpp")) == expected("snippet.cpp", text)


def test_lambda_bodies_analyzed_as_their_own_functions(scan):
    text = CXX_HEADERS + LAMBDAS
    lam_line = line_of(text, "auto leaky")
    assert brief(scan(text, "snippet.cpp")) == {
        ("snippet.cpp", line_of(text, "return;"), f"outer::<lambda@{lam_line}:18>", "resource-leak")}


def test_path_events_acquire_branch_exit(scan):
    text = C_HEADERS + """
int parse(int n) {
    char *p = malloc(n);
    if (p == NULL)
        return -1;
    if (n > 10)
        return -2;
    free(p);
    return 0;
}
"""
    (f,) = scan(text).findings
    got = [(ev.kind, ev.loc.line, ev.message) for ev in f.path]
    assert got == [
        ("acquire", line_of(text, "malloc(n)"), "'p': malloc acquired by malloc()"),
        ("branch", line_of(text, "p == NULL"), "assuming 'p == NULL' is false"),
        ("branch", line_of(text, "n > 10"), "assuming 'n > 10' is true"),
        ("exit", line_of(text, "return -2"), "'p' returns without releasing it"),
    ]
    assert f.loc.line == line_of(text, "return -2")
    assert f.acquire.line == line_of(text, "malloc(n)")
    assert f.confidence == "high"


def test_confidence_builtin_high_summary_medium(scan):
    text = C_HEADERS + """
static char *make_buf(int n) {
    char *p = malloc(n);
    return p;
}
int user(int n) {
    char *a = make_buf(n);
    char *b = malloc(n);
    if (n > 1)
        return 1;
    free(a);
    free(b);
    return 0;
}
"""
    result = scan(text)
    got = {(f.var, f.acquirer, f.confidence, f.rule_source) for f in result.findings}
    assert got == {("a", "make_buf", "medium", "summary:make_buf"), ("b", "malloc", "high", "builtin:libc.toml")}


def test_thirty_sequential_ifs_stay_bounded(scan):
    # the timing figure lives in bench/scan_speed.py --many-ifs; here only a generous sanity bound
    import time
    lines = ["int many(int *v) {", "    char *p = malloc(64);", "    char *q = malloc(64);",
             "    if (!p || !q) { free(p); free(q); return -1; }"]
    lines += [f"    if (v[{i}] > {i}) v[{i}] = {i};" for i in range(30)]
    lines += ["    if (v[0] == 7) return 3;", "    free(p);", "    free(q);", "    return 0;", "}"]
    text = C_HEADERS + "\n".join(lines) + "\n"
    start = time.perf_counter()
    result = scan(text)
    elapsed = time.perf_counter() - start
    leak_line = line_of(text, "v[0] == 7")
    assert brief(result) == {("snippet.c", leak_line, "many", "resource-leak")} | set()
    assert {f.var for f in result.findings} == {"p", "q"}
    assert elapsed < 10, elapsed


def test_header_function_from_two_tus_analyzed_once(tmp_path):
    from tests.conftest import scan_sources
    header = """
#include <stdlib.h>
static inline int helper(int n) {
    char *p = malloc(n);
    if (!p) return -1;
    if (n > 2) return 1;
    free(p);
    return 0;
}
"""
    result = scan_sources(tmp_path, {
        "util.h": header,
        "a.c": '#include "util.h"\nint a(void) { return helper(1); }\n',
        "b.c": '#include "util.h"\nint b(void) { return helper(2); }\n',
    })
    assert brief(result) == {("util.h", line_of(header, "n > 2"), "helper", "resource-leak")}
    assert result.stats.tus == 2
    assert result.stats.functions == 3  # helper once, a, b


def test_branch_text_of_a_macro_condition_is_the_invocation(scan):
    text = C_HEADERS + C_CASES["operators_and_else_inside_macro_bodies"]
    (f,) = scan(text).findings
    assert [ev.message for ev in f.path if ev.kind == "branch"] == [
        "assuming 'IS_NULL(p)' is false", "assuming 'n > LIMIT' is true"]
