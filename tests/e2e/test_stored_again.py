# ruff: noqa: E501  (C sources one function per line)
"""A place stored into again while it still owns what an earlier call left there: a file-static global set by a
function its caller runs in a loop, a field of one object filled twice, an out-parameter overwritten by a callee
that never looks at it. And the decoys that look alike: lazy initialisation, release before the store, a once
flag, a loop that runs once, another object each time, a callee that frees what it replaces."""
from tests.conftest import brief, scan_sources

GLOBALS = r"""
#include <stdlib.h>
#include <string.h>
static char *g_last;
static void remember(const char *s) { g_last = strdup(s); }
void remember_all(const char **v, int n) { for (int i = 0; i < n; i++) remember(v[i]); }
static char *g_lazy;
static void lazy(void) { if (!g_lazy) g_lazy = malloc(16); }
void lazy_all(int n) { for (int i = 0; i < n; i++) lazy(); }
static char *g_swap;
static void swap(const char *s) { free(g_swap); g_swap = strdup(s); }
void swap_all(const char **v, int n) { for (int i = 0; i < n; i++) swap(v[i]); }
static char *g_once; static int g_inited;
static void once(void) { if (g_inited) return; g_once = malloc(8); g_inited = 1; }
void once_all(int n) { for (int i = 0; i < n; i++) once(); }
static char *g_one;
static void one(void) { g_one = malloc(8); }
void one_loop(void) { for (int i = 0; i < 1; i++) one(); }
static char *g_reset;
static void set_reset(void) { g_reset = malloc(8); }
static void clear_reset(void) { free(g_reset); g_reset = NULL; }
void reset_all(int n) { for (int i = 0; i < n; i++) { set_reset(); clear_reset(); } }
static char *g_twice;
void twice(void) { g_twice = malloc(4); g_twice = malloc(8); free(g_twice); }
"""


def test_static_globals_stored_again(tmp_path):
    found = brief(scan_sources(tmp_path, {"g.c": GLOBALS}))
    assert found == {("g.c", 4, "remember", "leak-on-overwrite"), ("g.c", 23, "twice", "leak-on-overwrite")}


FIELDS = r"""
#include <stdlib.h>
#include <string.h>
struct ctx { char *name; char *note; int n; };
struct ctx *ctx_new(void) { return calloc(1, sizeof(struct ctx)); }
void ctx_free(struct ctx *c) { if (!c) return; free(c->name); free(c->note); free(c); }
static void fill(struct ctx *c) { c->name = strdup("x"); }
void fill_twice(void) { struct ctx *c = ctx_new(); if (!c) return; fill(c); fill(c); ctx_free(c); }
void fill_after_store(void) { struct ctx *c = ctx_new(); if (!c) return; c->name = strdup("y"); fill(c); ctx_free(c); }
void fill_each(int n) { for (int i = 0; i < n; i++) { struct ctx *c = ctx_new(); if (!c) return; fill(c); ctx_free(c); } }
void fill_freed(void) { struct ctx *c = ctx_new(); if (!c) return; fill(c); free(c->name); fill(c); ctx_free(c); }
void fill_other(struct ctx *a, struct ctx *b) { fill(a); fill(b); }
static void note(struct ctx *c) { free(c->note); c->note = strdup("n"); }
void note_twice(struct ctx *c) { note(c); note(c); }
struct ctx *ctx_named(void) { struct ctx *c = ctx_new(); if (!c) return NULL; c->name = strdup("d"); return c; }
void rename_after_create(void) { struct ctx *c = ctx_named(); if (!c) return; fill(c); ctx_free(c); }
void rename_fresh(void) { struct ctx *c = ctx_new(); if (!c) return; fill(c); ctx_free(c); }
"""


def test_a_field_of_one_object_filled_twice(tmp_path):
    found = brief(scan_sources(tmp_path, {"f.c": FIELDS}))
    assert found == {("f.c", 6, "fill", "leak-on-overwrite"), ("f.c", 8, "fill_after_store", "leak-on-overwrite"),
                     ("f.c", 14, "ctx_named", "leak-on-overwrite")}


OUT_PARAMS = r"""
#include <stdlib.h>
struct item { char *data; };
static int item_load(struct item **out) { struct item *b = malloc(sizeof *b); if (!b) return -1; *out = b; return 0; }
static int item_reload(struct item **out) { struct item *b = malloc(sizeof *b); if (!b) return -1; free(*out); *out = b; return 0; }
int load_twice(void) {
    struct item *b = NULL;
    if (item_load(&b) != 0) return -1;
    if (item_load(&b) != 0) return -1;
    free(b);
    return 0;
}
int reload_twice(void) {
    struct item *b = NULL;
    if (item_reload(&b) != 0) return -1;
    if (item_reload(&b) != 0) { free(b); return -1; }
    free(b);
    return 0;
}
"""


def test_an_out_parameter_written_blind_loses_the_old_value(tmp_path):
    found = brief(scan_sources(tmp_path, {"o.c": OUT_PARAMS}))
    assert found == {("o.c", 8, "load_twice", "leak-on-overwrite")}


RESETS = r"""
#include <stdlib.h>
static char *g_buf;
static void take(void) { g_buf = malloc(8); }
static void forget(void) { g_buf = NULL; }
static void drop(void) { free(g_buf); g_buf = NULL; }
void forgets(void) { take(); forget(); }
void drops(void) { take(); drop(); take(); drop(); }
"""


def test_a_reset_without_release_loses_the_stored_block(tmp_path):
    assert brief(scan_sources(tmp_path, {"r.c": RESETS})) == {("r.c", 3, "take", "leak-on-overwrite")}


PASSED_ON = r"""
#include <stdlib.h>
void fatal(const char *) __attribute__((noreturn));
static void *xrealloc(void *p, size_t n) { void *q = realloc(p, n); if (!q) fatal("oom"); return q; }
static void append(char **buf, size_t *len, char c) { *buf = xrealloc(*buf, *len + 2); (*buf)[(*len)++] = c; }
static void append1(char **buf, size_t *len, char c) { append(buf, len, c); }
char *word(void) { size_t len = 0; char *buf = malloc(1); if (!buf) return NULL; append1(&buf, &len, 'a'); append1(&buf, &len, 'b'); return buf; }
"""


def test_an_out_parameter_handed_to_a_callee_that_reads_it_is_not_blind(tmp_path):
    assert brief(scan_sources(tmp_path, {"p.c": PASSED_ON})) == set()


ASPRINTF = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
void fatalx(const char *, ...) __attribute__((noreturn));
int xvasprintf(char **ret, const char *fmt, va_list ap) { int i = vasprintf(ret, fmt, ap); if (i == -1) fatalx("x"); return i; }
int xasprintf(char **ret, const char *fmt, ...) { va_list ap; int i; va_start(ap, fmt); i = xvasprintf(ret, fmt, ap); va_end(ap); return i; }
void draw(const char *name, size_t width) { char *label; xasprintf(&label, " %s ", name); if (strlen(label) > width) xasprintf(&label, " - "); puts(label); free(label); }
void once(const char *name) { char *label; xasprintf(&label, "%s", name); puts(label); free(label); }
"""


def test_asprintf_through_wrappers_overwrites_blind(tmp_path):
    assert brief(scan_sources(tmp_path, {"a.c": ASPRINTF})) == {("a.c", 9, "draw", "leak-on-overwrite")}


CONDITIONAL = r"""
#include <stdlib.h>
#include <string.h>
struct m { char *d; };
static struct m *m_new(void) { struct m *b = malloc(sizeof *b); if (!b) return NULL; b->d = NULL; return b; }
static int m_open(struct m **out) { struct m *b = m_new(); if (!b) return -1; *out = b; return 0; }
static struct m *g_opened;
static void open_on_flag(int x) { struct m *b = NULL; if (x) { (void)m_open(&b); g_opened = b; b = NULL; } }
void same_args(int x) { open_on_flag(x); open_on_flag(x); }
static struct m *g_status;
static void open_checked(void) { struct m *b = NULL; if (m_open(&b) != 0) return; g_status = b; }
void checked_twice(void) { open_checked(); open_checked(); }
static char *g_item;
static void item_if(const int *in) { char *p = NULL; if (in[1] > 0) { p = malloc(8); if (!p) return; } for (int i = 0; i < 1; i++) (void)0; g_item = p; }
void items(const int *in) { item_if(in); item_if(in); }
static char *g_flagged;
static void flagged(int x) { if (x) g_flagged = strdup("f"); }
void different_args(void) { flagged(1); flagged(0); }
void changed_between(int x) { flagged(x); x = 0; flagged(x); }
static char *g_pointee;
static void pointee(int *in) { if (in[0]) g_pointee = strdup("p"); }
static void zero(int *in) { in[0] = 0; }
void pointee_changed(int *in) { pointee(in); zero(in); pointee(in); }
static char *g_global_flag; int cfg_enabled;
static void on_global(void) { if (cfg_enabled) g_global_flag = strdup("g"); }
void global_flag_twice(void) { on_global(); cfg_enabled = 0; on_global(); }
"""


def test_a_store_under_conditions_on_the_arguments_repeats_with_the_same_arguments(tmp_path):
    """A callee storing under a condition that reads only its parameters stores again when called again with the
    same arguments, unchanged in between; a store of NULL on the other path keeps it a store point; an int status
    tested `!= 0` is a failure test, not the main path. Other arguments, arguments changed in between (directly or
    through a callee writing what they point to) and conditions on globals stay quiet."""
    found = brief(scan_sources(tmp_path, {"c.c": CONDITIONAL}))
    assert found == {("c.c", 7, "open_on_flag", "leak-on-overwrite"), ("c.c", 10, "open_checked", "leak-on-overwrite"),
                     ("c.c", 13, "item_if", "leak-on-overwrite")}


TWO_ARMED = r"""
#include <stdlib.h>
#include <string.h>
static char *g_kept;
static void keep_if(int x) { if (x) g_kept = strdup("s"); }
static void forget(void) { g_kept = NULL; }
void keep_twice_then_forget(void) { keep_if(1); keep_if(2); forget(); }
"""


def test_two_calls_that_may_store_then_a_reset(tmp_path):
    """Two calls with different arguments may each have stored (neither repeats the other), and the reset loses
    whatever the place holds: one finding at the store, however many calls led to it."""
    found = brief(scan_sources(tmp_path, {"t.c": TWO_ARMED}))
    assert found == {("t.c", 4, "keep_if", "leak-on-overwrite")}
