"""Issue 2 §6, detected: each snippet through the real pipeline, the exact set of (file, line, function, ruleId)."""
from __future__ import annotations

import pytest

from tests.conftest import brief
from tests.e2e.test_core_helpers import expected

C_HEADERS = """
#define _GNU_SOURCE
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/socket.h>
#include <netdb.h>
"""

CASES: dict[str, str] = {}

CASES["early_error_return"] = """
int parse(const char *s, int n) {
    char *buf = malloc(n);
    if (buf == NULL)
        return -1;
    if (s[0] == '#')
        return -2;  // expect: resource-leak in parse
    memcpy(buf, s, n);
    free(buf);
    return 0;
}
"""

CASES["continue_in_loop"] = """
int process(int count) {
    int done = 0;
    for (int i = 0; i < count; i++) {
        char *item = malloc(32);
        if (!item)
            continue;
        if (i % 3 == 0)
            continue;  // expect: resource-leak in process
        done++;
        free(item);
    }
    return done;
}
"""

CASES["switch_case_returns"] = """
int dispatch(int op) {
    char *scratch = malloc(64);
    if (!scratch) return -1;
    switch (op) {
    case 0:
        free(scratch);
        return 0;
    case 1:
        return 1;  // expect: resource-leak in dispatch
    default:
        break;
    }
    free(scratch);
    return 2;
}
"""

CASES["goto_cleanup_misses_one"] = """
int load(int n) {
    int rc = -1;
    char *a = malloc(n);
    char *b = NULL;
    if (!a) goto cleanup;
    b = malloc(n);
    if (!b) goto cleanup;
    rc = 0;
cleanup:
    free(a);
    return rc;  // expect: resource-leak in load
}
"""

CASES["overwrite"] = """
void twice(int n) {
    char *p = malloc(n);
    p = malloc(2 * n);  // expect: leak-on-overwrite in twice
    free(p);
}
"""

CASES["realloc_self_assign"] = """
int grow(int n) {
    char *p = malloc(16);
    if (!p) return -1;
    p = realloc(p, n);  // expect: leak-on-overwrite in grow
    if (!p) return -1;
    free(p);
    return 0;
}
"""

CASES["discarded_result"] = """
void forgetful(int n) {
    malloc(n);  // expect: unused-acquire in forgetful
    strdup("x");  // expect: unused-acquire in forgetful
}
"""

CASES["file_early_return"] = """
int first_byte(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    int c = fgetc(f);
    if (c == EOF)
        return -2;  // expect: resource-leak in first_byte
    fclose(f);
    return c;
}
"""

CASES["fd_return_inside_while"] = """
int find_x(const char *path) {
    char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    while (read(fd, buf, sizeof buf) > 0) {
        if (buf[0] == 'x')
            return 1;  // expect: resource-leak in find_x
    }
    close(fd);
    return 0;
}
"""

CASES["socket_early_return"] = """
int serve(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return -1;
    if (listen(s, 16) != 0)
        return -2;  // expect: resource-leak in serve
    close(s);
    return 0;
}
"""

CASES["dir_early_return"] = """
int count_entries(const char *path) {
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e = readdir(d);
    if (e == NULL)
        return 0;  // expect: resource-leak in count_entries
    while (e) { n++; e = readdir(d); }
    closedir(d);
    return n;
}
"""

CASES["double_release_error_path"] = """
int store(const char *s, int n) {
    char *copy = malloc(n);
    if (!copy) return -1;
    if (s[0] == 0) {
        free(copy);
        goto fail;
    }
    free(copy);
    return 0;
fail:
    free(copy);  // expect: double-release in store
    return -1;
}
"""

CASES["out_parameter_acquire_leaked_after_status_check"] = """
int fmt(int x, int verbose) {
    char *s;
    if (asprintf(&s, "%d", x) < 0)
        return -1;
    if (verbose)
        return 1;  // expect: resource-leak in fmt
    free(s);
    return 0;
}
int aligned(int n) {
    void *p;
    if (posix_memalign(&p, 64, n) != 0)
        return -1;
    if (n > 4096)
        return -2;  // expect: resource-leak in aligned
    free(p);
    return 0;
}
"""

CASES["fdopen_failure_keeps_descriptor_owned"] = """
FILE *wrap(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "r");
    if (fp == NULL)
        return NULL;  // expect: resource-leak in wrap
    return fp;
}
int twice(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    FILE *fp = fdopen(fd, "r");
    if (!fp) {
        close(fd);
        return -1;
    }
    fclose(fp);
    close(fd);  // expect: double-release in twice
    return 0;
}
"""

CXX_HEADERS = """
#include <cstdlib>
#include <cstring>
"""

CXX_CASES: dict[str, str] = {}

CXX_CASES["new_early_return"] = """
struct Node { int v; Node *next; explicit Node(int x) : v(x), next(nullptr) {} };
int build(int n) {
    Node *head = new Node(n);
    if (n < 0)
        return -1;  // expect: resource-leak in build
    delete head;
    return 0;
}
"""

CXX_CASES["new_array_delete_mismatch"] = """
void scratch(int n) {
    int *v = new int[n];
    v[0] = 1;
    delete v;  // expect: mismatched-release in scratch
}
"""

CXX_CASES["malloc_delete_mismatch"] = """
void legacy(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (!p) return;
    delete p;  // expect: mismatched-release in legacy
}
"""

CXX_CASES["new_free_mismatch"] = """
struct Point { int x, y; };
void mixed() {
    Point *pt = new Point();
    std::free(pt);  // expect: mismatched-release in mixed
}
"""

CXX_CASES["method_early_return"] = """
namespace net {
class Conn {
public:
    int open(int n);
};
int Conn::open(int n) {
    char *buf = new char[n];
    if (n > 100)
        return -1;  // expect: resource-leak in net::Conn::open
    delete[] buf;
    return 0;
}
}
"""


def _check(scan, name: str, headers: str, body: str) -> None:
    text = headers + body
    result = scan(text, name)
    assert brief(result) == expected(name, text), text


@pytest.mark.parametrize("case", sorted(CASES))
def test_c_detected(scan, case):
    _check(scan, "snippet.c", C_HEADERS, CASES[case])


@pytest.mark.parametrize("case", sorted(CXX_CASES))
def test_cxx_detected(scan, case):
    _check(scan, "snippet.cpp", CXX_HEADERS, CXX_CASES[case])


def test_every_case_expects_something():
    for body in list(CASES.values()) + list(CXX_CASES.values()):
        assert expected("x", body), body


def test_finding_names_variable_kind_and_acquire_site(scan):
    text = C_HEADERS + CASES["fd_return_inside_while"]
    (f,) = scan(text).findings
    assert (f.var, f.resource_kind, f.acquirer, f.confidence) == ("fd", "fd", "open", "high")
    assert f.acquire is not None and text.lstrip("\n").splitlines()[f.acquire.line - 1].strip() == \
        "int fd = open(path, O_RDONLY);"
    assert f.rule_source == "builtin:posix.toml"
