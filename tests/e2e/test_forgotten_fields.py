# ruff: noqa: E501  (C sources one function per line)
"""A C struct's pointer field that receives owned blocks while no code ever frees, passes on or copies out that
field, in a struct whose other fields some code does release (its destructor forgot one), or that the struct's
release function never reaches. Decoys: the field freed somewhere else, passed to a function, copied out; a field
name two structs share; a struct nothing releases."""
from tests.conftest import brief, scan_sources

FORGOTTEN = r"""
#include <stdlib.h>
#include <string.h>
struct job { char *title; char *extra_note; int n; };
struct job *job_new(void) { return calloc(1, sizeof(struct job)); }
void job_free(struct job *j) { if (!j) return; free(j->title); free(j); }
struct job *job_make(const char *t) { struct job *j = job_new(); if (!j) return NULL; j->title = strdup(t); j->extra_note = strdup("n"); return j; }
struct task { char *label; char *scratch; };
void task_free(struct task *t) { free(t->label); free(t); }
void task_fill(struct task *t) { t->scratch = malloc(8); }
void task_drop(struct task *t) { free(t->scratch); t->scratch = NULL; }
struct peer { char *host; char *cookie; };
void peer_free(struct peer *p) { free(p->host); free(p); }
void keep(const char *s);
void peer_fill(struct peer *p) { p->cookie = strdup("c"); keep(p->cookie); }
struct a { char *shared_name; }; struct b { char *shared_name; char *other; };
void b_free(struct b *x) { free(x->other); free(x); }
void b_fill(struct b *x) { x->shared_name = strdup("s"); }
struct loose { char *p; char *q; };
void loose_fill(struct loose *l) { l->q = malloc(4); }
"""


def test_a_field_no_code_releases(tmp_path):
    found = brief(scan_sources(tmp_path, {"f.c": FORGOTTEN}))
    assert found == {("f.c", 5, "job_free", "member-not-released")}  # where the release belongs


RELEASE_FUNCTION = r"""
#include <stdlib.h>
#include <string.h>
struct conn { char *buf; int id; };
struct conn *conn_new(int id) { struct conn *c = calloc(1, sizeof *c); if (c) c->id = id; return c; }
void conn_set_buf(struct conn *c, const char *text) { free(c->buf); c->buf = strdup(text); }
void conn_free(struct conn *c) { if (c == NULL) return; free(c); }
struct sess { char *name; int id; };
void sess_set(struct sess *s, const char *n) { free(s->name); s->name = strdup(n); }
void sess_close(struct sess *s) { free(s->name); s->name = NULL; }
void sess_free(struct sess *s) { free(s); }
"""


def test_a_release_function_that_forgets_a_field(tmp_path):
    """`conn_free` frees the struct but never `c->buf`, which `conn_set_buf` replaces (freeing the old one): the
    finding is at the end of conn_free, where the release belongs. `sess_close` releases the field before the
    struct goes: quiet."""
    found = brief(scan_sources(tmp_path, {"c.c": RELEASE_FUNCTION}))
    assert found == {("c.c", 6, "conn_free", "member-not-released")}
