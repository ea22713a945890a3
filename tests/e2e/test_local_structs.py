"""Fields of a local struct are places of their own (`s.a`): lost at a return, on overwrite or at the end of the
struct's scope; they escape with the struct (passed, copied, returned, its address kept, a method called on it)."""
from tests.conftest import brief, scan_sources

C_SOURCE = r"""
#include <stdlib.h>
#include <string.h>
struct pair { char *a; char *b; };
struct outer { struct pair in; int n; };
void sink(struct pair *p);
void show(const struct pair *p);
void take(struct pair p);

int leak_field(int n) {
    struct pair st = { NULL, NULL };
    st.a = malloc(8);
    if (n > 2)
        return 1;            /* leak st.a */
    free(st.a);
    return 0;
}

void overwrite_field(void) {
    struct pair st;
    for (int i = 0; i < 2; i++)
        st.a = strdup("x");   /* overwrite */
    free(st.a);
}

void ok_free_both(void) {
    struct pair st;
    st.a = malloc(1);
    st.b = malloc(2);
    free(st.a);
    free(st.b);
}

struct pair ok_return(void) {
    struct pair st;
    st.a = malloc(1);
    return st;
}

void ok_sink(void) {
    struct pair st;
    st.a = malloc(1);
    sink(&st);
}

void ok_byvalue(void) {
    struct pair st;
    st.a = malloc(1);
    take(st);
}

void ok_copy(struct pair *out) {
    struct pair st;
    st.a = malloc(1);
    *out = st;
}

void ok_memcpy(struct pair *out) {
    struct pair st;
    st.a = malloc(1);
    memcpy(out, &st, sizeof st);
}

void nested_leak(void) {
    struct outer o;
    o.in.a = malloc(3);
    o.n = 1;
}

void ok_nested(void) {
    struct outer o;
    o.in.a = malloc(3);
    free(o.in.a);
}

void ok_moved(char **res) {
    struct pair st;
    st.a = malloc(1);
    *res = st.a;
}

union u { char *p; long v; };
void union_overwrite(void) {
    union u x;
    x.p = malloc(1);
    x.v = 0;                /* the members overlap: the block is lost */
}

void ok_union_other_member(void) {
    union u x;
    x.p = malloc(1);
    free((char *)x.v);
}

struct stream { int (*write)(struct stream *); };
struct writer { struct stream base; int fd; char *buf; };
int run_stream(struct stream *s);
int ok_container_of(void) {
    struct writer w;
    w.buf = malloc(4);
    return run_stream(&w.base);
}
int ok_pointer_to_local(void) {
    struct writer w;
    struct writer *pw = &w;
    w.buf = malloc(4);
    free(pw->buf);
    return 0;
}
"""

CXX_SOURCE = r"""
#include <cstdlib>
#include <utility>
struct Holder { char *buf; void release() { free(buf); } };
void ok_method() {
    Holder h;
    h.buf = (char *)malloc(4);
    h.release();
}
void leak_pair(int n) {
    std::pair<char *, int> p;
    p.first = (char *)malloc(4);
    if (n) return;
    free(p.first);
}
"""


def test_local_struct_fields_own_what_is_stored_in_them(tmp_path):
    result = scan_sources(tmp_path, {"rec.c": C_SOURCE})
    assert brief(result) == {
        ("rec.c", 13, "leak_field", "resource-leak"),
        ("rec.c", 21, "overwrite_field", "leak-on-overwrite"),
        ("rec.c", 67, "nested_leak", "resource-leak"),
        ("rec.c", 85, "union_overwrite", "leak-on-overwrite"),
    }
    assert {f.var for f in result.findings} == {"st.a", "o.in.a", "x.p"}


def test_cxx_aggregates_and_methods(tmp_path):
    result = scan_sources(tmp_path, {"rec.cpp": CXX_SOURCE})
    assert brief(result) == {("rec.cpp", 12, "leak_pair", "resource-leak")}
