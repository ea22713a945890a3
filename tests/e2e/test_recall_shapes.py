# ruff: noqa: E501  (C sources one function per line)
"""Recall shapes of issue 9 beyond the suite, each beside the decoys that must stay quiet: elements of local arrays
at constant indexes, unions, static globals that carry a resource between a file's functions, calls through function
pointers whose target the TU shows, virtual calls judged by every visible override, borrowers that return their
destination (`return memcpy(m, ...)`), and an object handed over as the address of its member (`*pp = &c->base`)."""
import pytest

from tests.conftest import brief, scan_sources

ARRAYS_C = r"""
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
void fill(char **v, int n);
int ok_loop_free(void) {
    char *s[3];
    s[0] = malloc(1); s[1] = malloc(2); s[2] = strdup("x");
    for (int i = 0; i < 3; i++) free(s[i]);
    return 0;
}
void ok_pass(void) { char *s[2]; s[0] = malloc(3); s[1] = 0; fill(s, 2); }
char **ok_copy(char **out) { char *s[2]; s[0] = malloc(3); s[1] = 0; memcpy(out, s, sizeof s); return out; }
int ok_pipe(void) { int fds[2]; if (pipe(fds) < 0) return -1; close(fds[0]); close(fds[1]); return 0; }
int leak_pipe(void) { int fds[2]; if (pipe(fds) < 0) return -1; close(fds[0]); return 0; }
void ok_var_store(int k) { char *s[4]; s[1] = malloc(3); s[k] = NULL; free(s[1]); }
void leak_const(void) { char *s[4]; s[2] = malloc(3); s[1] = NULL; }
void ok_ptr(char ***o) { char *s[2]; char **p = s; s[0] = malloc(3); *o = p; }
void overwrite(void) { char *s[2]; s[0] = malloc(3); s[0] = malloc(4); free(s[0]); }
"""

CARRIER_C = r"""
#include <stdlib.h>
#include <string.h>
static char *pending;
static char *other;
char *exported;
void use(char *);
static void drop_a(void) { char *r = pending; free(r); pending = NULL; }
static void drop_b(void) { char *r = pending; pending = NULL; if (r) free(r); }
static char *take(void) { char *r = pending; pending = NULL; return r; }
static void move(void) { char *r = pending; pending = NULL; other = r; }
static void hand(void) { char *r = pending; pending = NULL; use(r); }
static void keep(void) { char *r = pending; r[0] = 0; }
static void leak(int n) { char *r = pending; pending = NULL; if (n) return; free(r); }
void put(const char *s) { char *p = strdup(s); free(pending); pending = p; other = strdup(s); exported = strdup(s); }
static void ext(void) { char *r = exported; exported = NULL; r[0] = 0; }
"""

RETURNS_C = r"""
#include <stdlib.h>
#include <string.h>
char *dup(const char *s) { size_t n = strlen(s) + 1; char *m = malloc(n); if (!m) return NULL; return memcpy(m, s, n); }
struct hints { int a; };
struct req { struct hints *h; };
void setup(struct req *r, const struct hints *h) { char *buf = malloc(64); r->h = memcpy(buf, h, sizeof *h); }
int leak(const char *s) { char *m = malloc(8); if (!m) return -1; char *q = strcpy(m, s); q[0] = 0; return 0; }
"""

HANDOVER_C = r"""
#include <stdlib.h>
#include <string.h>
typedef struct base { int n; } base;
typedef struct cur { base b; char *buf; } cur;
int open_cur(base **pp) { cur *c = malloc(sizeof *c); if (!c) return 1; memset(c, 0, sizeof *c); *pp = &c->b; return 0; }
base *make(void) { cur *c = malloc(sizeof *c); if (!c) return 0; return &c->b; }
int leak_self(void) { cur *c = malloc(sizeof *c); if (!c) return 1; c->buf = (char *)&c->b; return 0; }
"""

TABLES_C = r"""
#include <stdlib.h>
#include <string.h>
struct ops { char *(*make)(const char *); void (*drop)(char *); };
static char *make_a(const char *s) { return strdup(s); }
static void drop_a(char *p) { free(p); }
static void keep_b(char *p) { (void)p; }
static const struct ops same[] = { { make_a, drop_a }, { .drop = drop_a, .make = make_a }, { 0, 0 } };
static const struct ops mixed[] = { { make_a, drop_a }, { make_a, keep_b } };
int via_same(int i, const char *s) { char *p = same[i].make(s); if (!p) return -1; if (*s == 'x') return 1; same[i].drop(p); return 0; }
int via_mixed(int i, const char *s) { char *p = mixed[i].make(s); if (!p) return -1; mixed[i].drop(p); return 0; }
int local_reassigned(int k, const char *s) { void (*f)(char *) = keep_b; char *p = strdup(s); if (k) f = drop_a; f(p); return 0; }
"""

VIRTUAL_CPP = r"""
#include <cstdlib>
#include <cstring>
struct Sink { virtual ~Sink() {} virtual void consume(char *p) = 0; };
struct Freeing : Sink { void consume(char *p) override { free(p); } };
struct AlsoFreeing : Freeing { void consume(char *p) override { std::free(p); } };
struct Keeping : Sink { char *kept = nullptr; void consume(char *p) override { kept = p; } };
struct Reader { virtual ~Reader() {} virtual void read(char *p) { p[0] = 0; } };
struct Dropper : Reader { void read(char *p) override { free(p); } };
int all_release(Sink &s, Freeing &f) { char *p = strdup("x"); if (!p) return -1; f.consume(p); return 0; }
int double_free(Freeing &f) { char *p = strdup("x"); if (!p) return -1; f.consume(p); free(p); return 0; }
int some_keep(Sink &s) { char *p = strdup("x"); if (!p) return -1; s.consume(p); return 0; }
int mixed(Reader &r) { char *p = strdup("x"); if (!p) return -1; r.read(p); return 0; }
"""


EXPECTED = {
    "arrays.c": {("arrays.c", 17, "leak_const", "resource-leak"), ("arrays.c", 19, "overwrite", "leak-on-overwrite")},
    "carrier.c": {("carrier.c", 13, "leak", "resource-leak")},
    "returns.c": {("returns.c", 7, "leak", "resource-leak")},
    "handover.c": {("handover.c", 7, "leak_self", "resource-leak")},
    "tables.c": {("tables.c", 9, "via_same", "resource-leak")},
    "virtual.cpp": {("virtual.cpp", 10, "double_free", "double-release"), ("virtual.cpp", 12, "mixed", "resource-leak")},
}
SOURCES = {"arrays.c": ARRAYS_C, "carrier.c": CARRIER_C, "returns.c": RETURNS_C, "handover.c": HANDOVER_C, "tables.c": TABLES_C, "virtual.cpp": VIRTUAL_CPP}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shape_and_its_decoys(tmp_path, name):
    assert brief(scan_sources(tmp_path, {name: SOURCES[name]})) == EXPECTED[name]
