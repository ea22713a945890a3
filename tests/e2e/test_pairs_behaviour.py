"""Behaviour-based pairs (issue 10): the bodies' roles pair an acquirer and a releaser of one type whatever their
names; decoys (getters, element removals, count fields that are no reference counts, realloc-like functions,
container types released by many owners) stay out. Real C through the real pipeline."""
from __future__ import annotations

from tests.conftest import brief, scan_sources

TEXT_H = """
    #include <stddef.h>
    typedef char *text;
    typedef struct node { int count; struct node *next; } node;
    typedef struct list { node *head; int refcount; } list;
    text text_blank(void);
    text text_from_int(int v);
    text text_grow(text t, size_t n);
    text text_twice(int v);
    void text_drop(text t);
    const char *text_peek(text t);
    list *list_build(void);
    list *list_retain(list *l);
    void list_put(list *l);
    node *node_make(void);
    void node_shrink(list *l, node *n);
    void list_remove(list *l, node *n);
    list *list_first(void);
    list *config_words(void);
    void config_forget_words(list *l);
    void stats_dispose(list *l);
    void log_discard(list *l);
"""

TEXT_C = """
    #include <stdlib.h>
    #include <stdio.h>
    #include <string.h>
    #include "text.h"
    static list shared_list;
    text text_blank(void) { return calloc(1, 16); }
    text text_from_int(int v) {
        text t = text_blank();
        if (t != NULL)
            snprintf(t, 16, "%d", v);
        return t;
    }
    text text_grow(text t, size_t n) {
        text bigger = realloc(t, n);
        return bigger != NULL ? bigger : t;
    }
    text text_twice(int v) {
        text t = text_from_int(v);
        if (t != NULL)
            t = text_grow(t, 32);  /* moves t: still the fresh text */
        return t;
    }
    void text_drop(text t) {
        if (t == NULL)
            return;
        free(t);
    }
    const char *text_peek(text t) { return t; }
    list *list_build(void) {
        list *l = calloc(1, sizeof *l);
        if (l != NULL)
            l->refcount = 1;
        return l;
    }
    list *list_retain(list *l) { l->refcount++; return l; }
    void list_put(list *l) {
        node *n, *next;
        if (--l->refcount > 0)
            return;
        for (n = l->head; n != NULL; n = next) {
            next = n->next;
            free(n);
        }
        free(l);
    }
    node *node_make(void) { return calloc(1, sizeof(node)); }
    void node_shrink(list *l, node *n) {
        n->count--;
        if (n->count == 0)
            list_remove(l, n);
    }
    void list_remove(list *l, node *n) {
        if (l->head == n)
            l->head = n->next;
    }
    list *list_first(void) { return &shared_list; }
"""

OTHER_C = """
    #include <stdlib.h>
    #include "text.h"
    list *config_words(void) { return list_build(); }
    void config_forget_words(list *l) { list_put(l); }
    void stats_dispose(list *l) { free(l); }
    void log_discard(list *l) { free(l); }
"""

APP_C = """
    #include <stdio.h>
    #include "text.h"
    int show(int v, int quiet) {
        text t = text_from_int(v);
        if (t == NULL)
            return -1;
        if (quiet)
            return 0;
        puts(text_peek(t));
        text_drop(t);
        return 1;
    }
    int share(list *l, int drop) {
        list *mine = list_retain(l);
        if (drop)
            return 0;
        list_put(mine);
        return 1;
    }
    int peek(void) { return list_first()->refcount; }
"""


def _scan(tmp_path):
    return scan_sources(tmp_path, {"text.h": TEXT_H, "text.c": TEXT_C, "other.c": OTHER_C, "app.c": APP_C})


def test_constructors_without_verbs_typedefs_and_reference_counts(tmp_path):
    result = _scan(tmp_path)
    pairs = {(p.acquirer, p.releaser, p.release_arg) for p in result.pairs}
    assert {("text_blank", "text_drop", 0), ("text_from_int", "text_drop", 0),  # `text` is its own type
            ("list_build", "list_put", 0), ("list_retain", "list_put", 0), ("text_twice", "text_drop", 0)} <= pairs
    assert ("config_words", "config_forget_words", 0) in pairs  # shared words past the prefix
    used = {f for p in pairs for f in p[:2]}
    # realloc-like, getter, element removal, a count that is no reference count, a shared static table
    assert not used & {"text_grow", "text_peek", "node_shrink", "list_remove", "list_first", "node_make"}
    # `list` is released by several owners: another file's dispose/discard pairs with nobody on type alone
    assert not {("list_build", "stats_dispose", 0), ("list_build", "log_discard", 0),
                ("config_words", "stats_dispose", 0)} & pairs
    assert brief(result) == {("app.c", 8, "show", "resource-leak"), ("app.c", 16, "share", "resource-leak")}


def test_pairs_command_counts_pairs_by_origin(tmp_path, capsys):
    from analyzer.cli import main
    for name, text in {"text.h": TEXT_H, "text.c": TEXT_C, "other.c": OTHER_C, "app.c": APP_C}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["pairs", "-j", "1", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "from behaviour only" in out and "text_blank() returns a fresh text *" in out


# An allocator table (calls through function pointers), constructors that fill an out-parameter through a helper,
# a loop that stores a back-pointer to itself in one of its parts, and a consumer wrapping the destructor.
POOL_C = """
    #include <stdlib.h>
    typedef struct pool_mem { void *(*alloc)(size_t); void (*release)(void *); } pool_mem;
    typedef struct session { pool_mem *mem; int id; } session;
    typedef struct handle { struct loop *owner; } handle;
    typedef struct loop { handle watcher; int n; } loop;
    void *pool_malloc(pool_mem *mem, size_t n) { return mem->alloc(n); }
    void pool_free(pool_mem *mem, void *p) { mem->release(p); }
    static int session_make(session **out, pool_mem *mem) {
        session *s = pool_malloc(mem, sizeof *s);
        if (s == NULL)
            return -1;
        s->mem = mem;
        *out = s;
        return 0;
    }
    int session_client_new(session **out, pool_mem *mem) {
        session *s;
        int rv = session_make(&s, mem);
        if (rv != 0)
            return rv;
        s->id = 1;
        *out = s;
        return 0;
    }
    void session_del(session *s) {
        if (s == NULL)
            return;
        pool_free(s->mem, s);
    }
    void stats_done(session *s) { session_del(s); }
    static void handle_init(loop *l, handle *h) { h->owner = l; }
    loop *loop_new(void) {
        loop *l = calloc(1, sizeof *l);
        if (l == NULL)
            return NULL;
        handle_init(l, &l->watcher);
        return l;
    }
    void loop_delete(loop *l) { free(l); }
    int use(pool_mem *mem, int fail) {
        session *s;
        if (session_client_new(&s, mem) != 0)
            return -1;
        if (fail)
            return -2;
        session_del(s);
        return 0;
    }
"""


def test_out_parameters_through_helpers_allocator_tables_and_back_pointers(tmp_path):
    result = scan_sources(tmp_path, {"pool.c": POOL_C})
    pairs = {(p.acquirer, p.releaser, p.release_arg) for p in result.pairs}
    assert {("pool_malloc", "pool_free", 1), ("session_make", "session_del", 0),
            ("session_client_new", "session_del", 0), ("loop_new", "loop_delete", 0)} <= pairs
    # wraps session_del: the same file is no evidence for a wrapper, and the names share nothing
    assert not {p for p in pairs if p[1] == "stats_done"}
    assert ("pool.c", 45, "use", "resource-leak") in brief(result)
