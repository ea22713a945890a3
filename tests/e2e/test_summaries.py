# ruff: noqa: E501  (C sources one function per line)
"""Behaviour: summaries make wrappers acquirers, releasers and sinks, across translation units."""
from __future__ import annotations

from tests.conftest import brief, scan_sources

BUF_H = """
    #include <stddef.h>
    typedef struct buf { char *data; size_t len; } buf;
    buf *buf_make(size_t n);
    void buf_drop(buf *b);
    int buf_make_into(size_t n, buf **out);
    void buf_keep(buf *b);
    void *xalloc(size_t n);
"""

# Bodies in one TU; the names (make/drop, keep) pair with nothing, so only behaviour can tell.
BUF_C = """
    #include <stdlib.h>
    #include "buf.h"
    static buf *kept;
    void *xalloc(size_t n) {
        void *p = malloc(n);
        if (p == NULL)
            return NULL;
        return p;
    }
    buf *buf_make(size_t n) {
        buf *b = xalloc(sizeof *b);
        if (b == NULL)
            return NULL;
        b->data = xalloc(n);
        if (b->data == NULL) {
            free(b);
            return NULL;
        }
        b->len = n;
        return b;
    }
    void buf_drop(buf *b) {
        if (b == NULL)
            return;
        free(b->data);
        free(b);
    }
    int buf_make_into(size_t n, buf **out) {
        buf *b = buf_make(n);
        if (b == NULL)
            return -1;
        *out = b;
        return 0;
    }
    void buf_keep(buf *b) {
        kept = b;
    }
"""


def _scan(tmp_path, use: str, **kw):
    return scan_sources(tmp_path, {"buf.h": BUF_H, "buf.c": BUF_C, "use.c": use}, **kw)


def test_cross_tu_allocator_wrapper(tmp_path):
    result = _scan(tmp_path, """
        #include <stdlib.h>
        #include "buf.h"
        int leaky(int n) {
            char *p = xalloc(16);
            if (p == 0)
                return -1;
            if (n)
                return -2;
            free(p);
            return 0;
        }
        int fine(int n) {
            char *p = xalloc(16);
            if (p == 0)
                return -1;
            free(p);
            return 0;
        }
    """)
    assert brief(result) == {("use.c", 8, "leaky", "resource-leak")}
    leak = next(f for f in result.findings if f.function == "leaky")
    assert leak.acquirer == "xalloc"
    assert leak.rule_source == "summary:xalloc"


def test_release_wrapper_frees_fields_then_struct(tmp_path):
    result = _scan(tmp_path, """
        #include "buf.h"
        int leaky(int n) {
            buf *b = buf_make(8);
            if (!b)
                return -1;
            if (n > 1)
                return -2;
            buf_drop(b);
            return 0;
        }
        int fine(int n) {
            buf *b = buf_make(8);
            if (!b)
                return -1;
            buf_drop(b);
            return 0;
        }
        int twice(void) {
            buf *b = buf_make(8);
            if (!b)
                return -1;
            buf_drop(b);
            buf_drop(b);
            return 0;
        }
    """)
    assert brief(result) == {("use.c", 7, "leaky", "resource-leak"), ("use.c", 23, "twice", "double-release")}


def test_out_parameter_acquirer_wrapper(tmp_path):
    result = _scan(tmp_path, """
        #include "buf.h"
        int leaky(int n) {
            buf *b = 0;
            if (buf_make_into(8, &b) != 0)
                return -1;
            if (n)
                return -2;
            buf_drop(b);
            return 0;
        }
        int fine(void) {
            buf *b = 0;
            if (buf_make_into(8, &b) != 0)
                return -1;
            buf_drop(b);
            return 0;
        }
    """)
    assert brief(result) == {("use.c", 7, "leaky", "resource-leak")}


def test_sink_takes_ownership_caller_quiet(tmp_path):
    result = _scan(tmp_path, """
        #include "buf.h"
        struct holder { buf *b; };
        void into_field(struct holder *h, buf *b) { h->b = b; }
        int kept_global(void) {
            buf *b = buf_make(8);
            if (!b)
                return -1;
            buf_keep(b);
            return 0;
        }
        int kept_field(struct holder *h) {
            buf *b = buf_make(8);
            if (!b)
                return -1;
            into_field(h, b);
            return 0;
        }
    """)
    assert brief(result) == set()


def test_no_infer_drops_the_summaries(tmp_path):
    result = _scan(tmp_path, """
        #include "buf.h"
        int leaky(int n) {
            buf *b = buf_make(8);
            if (!b)
                return -1;
            return n;
        }
    """, infer=False)
    assert brief(result) == set()


def test_constructor_that_registers_its_object_returns_a_borrowed_pointer(tmp_path):
    result = scan_sources(tmp_path, {"reg.c": """
        #include <stdlib.h>
        struct group { int n; };
        static struct group *registry[16];
        static int count;
        struct group *group_register(int n) {
            struct group *g = malloc(sizeof *g);
            if (g == NULL)
                return NULL;
            g->n = n;
            registry[count++] = g;
            return g;
        }
        int use(int n) {
            struct group *g = group_register(n);
            return g != NULL;
        }
    """})
    assert brief(result) == set()


ACCEPTED = r"""
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
typedef struct connection { int fd; int state; } connection;
connection *conn_create(void) { connection *c = calloc(1, sizeof *c); if (!c) abort(); c->fd = -1; return c; }
connection *conn_create_accepted(int fd) { connection *conn = conn_create(); conn->fd = fd; conn->state = 1; return conn; }
void conn_close(connection *c) { if (c->fd != -1) close(c->fd); free(c); }
static void serve(connection *c) { conn_close(c); }
void accept_loop(int lfd) {
    for (int max = 0; max < 10; max++) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd == -1) return;
        serve(conn_create_accepted(cfd));
    }
}
void accept_early_return(int lfd, int busy) { int cfd = accept(lfd, NULL, NULL); if (cfd == -1) return; if (busy) return; serve(conn_create_accepted(cfd)); }
"""


def test_an_acquirer_named_by_a_pair_still_takes_over_what_its_body_stores(tmp_path):
    """`conn_create_accepted(fd)` is a constructor of the inferred conn_create/conn_close family, and its body
    stores the descriptor in the connection it returns: the caller's descriptor is handed over, not borrowed
    (redis's connCreateAcceptedSocket). Returning before the hand-over still leaks it."""
    found = brief(scan_sources(tmp_path, {"a.c": ACCEPTED}))
    assert found == {("a.c", 16, "accept_early_return", "resource-leak")}


PASSED_ON_OUT = r"""
#include <stdlib.h>
typedef struct idx { int n; } idx;
int idx_open(idx **out, int fail) { idx *i = calloc(1, sizeof *i); if (!i) return -1; if (fail) { free(i); return -2; } *out = i; return 0; }
int idx_new(idx **out) { return idx_open(out, 0); }
int idx_read(idx *i, int v) { i->n = v; return v < 0 ? -1 : 0; }
void idx_free(idx *i) { free(i); }
int from_list(idx **out, int v) { int error; if ((error = idx_new(out)) == 0) error = idx_read(*out, v); return error; }
int make_base(int v, idx **keep) {
    idx *index = NULL;
    if (from_list(&index, v) < 0) return -1;
    int *result = calloc(1, sizeof *result);
    if (!result) return -1;
    *keep = index; free(result);
    return 0;
}
"""


def test_an_out_parameter_passed_on_and_decided_by_a_status_that_is_reassigned(tmp_path):
    """`if ((error = idx_new(out)) == 0) error = idx_read(*out, v); return error;`: the test of the first status
    already says the out-parameter is set, whatever `error` holds by the return (libgit2 index_from_diff_list);
    the caller's index is lost when the next allocation fails."""
    found = brief(scan_sources(tmp_path, {"o.c": PASSED_ON_OUT}))
    assert found == {("o.c", 12, "make_base", "resource-leak")}


REGISTERED_ON_SOME_PATHS = r"""
#include <stdlib.h>
#include <string.h>
struct file { struct file *left, *right; int stream; char *path; };
struct files { struct file *root; };
struct client { int flags; struct files files; int refs; };
int cmp(struct file *a, struct file *b) { return a->stream - b->stream; }
struct file *files_insert(struct files *head, struct file *elm) {
    struct file *tmp = head->root, *parent = NULL; int comp = 0;
    while (tmp) { parent = tmp; comp = cmp(elm, parent); if (comp < 0) tmp = tmp->left; else if (comp > 0) tmp = tmp->right; else return tmp; }
    elm->left = elm->right = NULL;
    if (parent != NULL) { if (comp < 0) parent->left = elm; else parent->right = elm; } else head->root = elm;
    return NULL;
}
struct file *file_create(struct client *c, int stream) {
    struct file *cf;
    if (c != NULL && (c->flags & 1)) c = NULL;
    cf = calloc(1, sizeof *cf);
    if (cf == NULL) abort();
    cf->stream = stream;
    if (c != NULL) { files_insert(&c->files, cf); c->refs++; }
    return cf;
}
void file_print(struct client *c) { struct file *cf = file_create(c, 1); cf->path = strdup("-"); }
struct file *plain_create(int stream) { struct file *cf = calloc(1, sizeof *cf); if (!cf) return NULL; cf->stream = stream; return cf; }
void plain_leak(void) { struct file *cf = plain_create(2); if (cf) cf->stream = 3; }
struct node { struct node *parent; struct node *kids; struct node *next; };
struct node *node_new(struct node *parent) { struct node *n = calloc(1, sizeof *n); if (!n) abort(); n->parent = parent; return n; }
struct node *build(struct node *parent, int depth) { struct node *n = node_new(parent); if (depth > 0) { struct node *k = build(n, depth - 1); if (k == NULL) { free(n); return NULL; } k->next = n->kids; n->kids = k; } return n; }
int parse(int depth) { struct node *root = build(NULL, depth); if (root == NULL) return -1; if (depth > 3) return -2; free(root); return 0; }
"""


def test_a_constructor_that_registers_its_object_on_some_paths_is_no_acquirer(tmp_path):
    """`file_create` inserts the new object into the client's tree when there is a client (tmux
    file_create_with_client via RB_INSERT): whoever calls it cannot know whether it owns the result, so it is no
    acquirer; a constructor that never keeps its object is one (plain_leak), and so is a builder that hands its
    node to a recursive call or a constructor as the parent of a child (a back-pointer, tmux layout_construct)."""
    found = brief(scan_sources(tmp_path, {"files.c": REGISTERED_ON_SOME_PATHS}))
    assert found == {("files.c", 25, "plain_leak", "resource-leak"), ("files.c", 29, "parse", "resource-leak")}


RELEASED_AGAIN_ON_FAILURE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int readLong(FILE *fp, long *out);
int readBytes(FILE *fp, char *buf, long n);
int readString(FILE *fp, char **target) {
    long len;
    *target = NULL;
    if (!readLong(fp, &len)) return 0;
    if (len < 0 || len > 100000) return 0;
    len += 2;
    *target = malloc(len);
    if (!readBytes(fp, *target, len)) { free(*target); *target = NULL; return 0; }
    (*target)[len - 2] = '\0';
    return 1;
}
int process(FILE *fp, long argc) {
    char *str;
    for (long i = 0; i < argc; i++) {
        if (!readString(fp, &str)) return 0;
        if (strcmp(str, "exec") == 0) { free(str); return 0; }
        free(str);
    }
    return 1;
}
int process_leak(FILE *fp) {
    char *str;
    if (!readString(fp, &str)) return 0;
    if (strcmp(str, "exec") == 0) return 2;
    free(str);
    return 1;
}
"""


def test_an_out_parameter_released_again_before_a_failure_return_is_not_set_there(tmp_path):
    """`*target = malloc(..); if (!read(..)) { free(*target); *target = NULL; return 0; }` (redis readString): the
    caller owns the string only when the call returned 1, so `if (!readString(fp, &str)) return 0;` loses
    nothing; an early return after success does."""
    found = brief(scan_sources(tmp_path, {"rs.c": RELEASED_AGAIN_ON_FAILURE}))
    assert found == {("rs.c", 29, "process_leak", "resource-leak")}


CONDITIONAL_RETURNS = r"""
#include <stdlib.h>
#include <string.h>
struct ent { char *name; };
char *dup_or_null(const char *v) { return v ? strdup(v) : NULL; }
char *name_or_copy(struct ent *e, int copy) { return copy ? strdup(e->name) : e->name; }
int status(int ok) { return ok ? 0 : -1; }
void use(const char *);
void leaks(const char *s) { char *p = dup_or_null(s); use(p); }
void frees(const char *s) { char *p = dup_or_null(s); use(p); free(p); }
void borrowed(struct ent *e) { char *p = name_or_copy(e, 0); use(p); }
"""


def test_a_conditional_expression_returning_a_copy_or_null_is_an_acquirer(tmp_path):
    """`return v ? strdup(v) : NULL;` returns a fresh block or NULL: its callers own the result. One that returns a
    copy or a borrowed field (`copy ? strdup(e->name) : e->name`) is no acquirer (the quiet answer)."""
    found = brief(scan_sources(tmp_path, {"cond.c": CONDITIONAL_RETURNS}))
    assert found == {("cond.c", 8, "leaks", "resource-leak")}
