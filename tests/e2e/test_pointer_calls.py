# ruff: noqa: E501  (C sources one function per line)
"""Calls through a global function pointer or a struct field that the whole program only ever sets to one
function (`lib_malloc(n)` expanding to `lib_allocator.gmalloc(n)`, a `free_fn` variable): calls of that function,
even when the table is filled in another file. A pointer set to two functions, to something unknown, or left NULL
by some table (its calls are guarded), stays unknown."""
from tests.conftest import brief, scan_sources

ALLOC_H = r"""
#include <stddef.h>
struct lib_allocator { void *(*gmalloc)(size_t); void (*gfree)(void *); void *(*other)(size_t); };
extern struct lib_allocator lib_allocator;
extern void (*free_fn)(void *);
extern void *(*either)(size_t);
void *(*get_hook(void))(size_t);
struct ops { void *(*dup)(size_t); };
#define lib_malloc(n) (lib_allocator.gmalloc(n))
#define lib_free(p) (lib_allocator.gfree(p))
"""

ALLOC_C = r"""
#include <stdlib.h>
#include "alloc.h"
static void *my_alloc(size_t n) { return malloc(n); }
struct lib_allocator lib_allocator = { malloc, free, malloc };
void (*free_fn)(void *) = free;
void *(*either)(size_t) = malloc;
struct ops with_dup = { malloc };
struct ops no_dup = { NULL };
void lib_init(void) { lib_allocator.gmalloc = malloc; lib_allocator.other = my_alloc; either = get_hook(); }
"""

APP_C = r"""
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
int copy_name(const char *name) { char *p = lib_malloc(strlen(name) + 1); if (!p) return -1; strcpy(p, name); if (p[0] == '/') return 1; lib_free(p); return 0; }
int scratch(int n) { char *t = malloc(n); if (!t) return -1; memset(t, 0, n); free_fn(t); return 0; }
int two_targets(int n) { char *t = lib_allocator.other(n); if (!t) return -1; if (n > 3) return 1; free(t); return 0; }
int guarded(struct ops *o, int n) { char *t; if (!o->dup) return 0; t = o->dup(n); if (!t) return -1; if (n > 3) return 1; free(t); return 0; }
int unknown_target(int n) { char *t = either(n); if (!t) return -1; if (n > 3) return 1; free(t); return 0; }
"""


def test_calls_through_pointers_the_program_sets_once(tmp_path):
    found = brief(scan_sources(tmp_path, {"alloc.h": ALLOC_H, "alloc.c": ALLOC_C, "app.c": APP_C}))
    assert found == {("app.c", 4, "copy_name", "resource-leak")}
