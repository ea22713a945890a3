"""Ownership attributes on declarations: Clang ownership_returns/takes/holds and GCC malloc(dealloc, idx)."""
from __future__ import annotations

from tests.conftest import brief, scan_sources

CLANG_ATTRS = """
    #include <stddef.h>
    typedef struct pool pool_t;
    void *pool_get(pool_t *p, size_t n) __attribute__((ownership_returns(pool_mem)));
    void pool_put(pool_t *p, void *mem) __attribute__((ownership_takes(pool_mem, 2)));
    void pool_keep(pool_t *p, void *mem) __attribute__((ownership_holds(pool_mem, 2)));
    void *xmalloc(size_t n) __attribute__((ownership_returns(malloc)));
"""


def test_clang_ownership_attributes(tmp_path):
    result = scan_sources(tmp_path, {"pool.h": CLANG_ATTRS, "use.c": """
        #include <stdlib.h>
        #include "pool.h"
        int leaky(pool_t *p, int n) {
            char *m = pool_get(p, 16);
            if (!m)
                return -1;
            if (n > 3)
                return -2;
            pool_put(p, m);
            return 0;
        }
        int kept(pool_t *p) {
            char *m = pool_get(p, 16);
            if (!m)
                return -1;
            pool_keep(p, m);
            return 0;
        }
        int released(pool_t *p) {
            char *m = pool_get(p, 16);
            if (!m)
                return -1;
            pool_put(p, m);
            return 0;
        }
        int wrong(pool_t *p) {
            char *m = pool_get(p, 16);
            if (!m)
                return -1;
            free(m);
            return 0;
        }
        int plain(void) {
            char *m = xmalloc(8);
            if (!m)
                return -1;
            return 0;
        }
    """})
    assert brief(result) == {("use.c", 8, "leaky", "resource-leak"), ("use.c", 30, "wrong", "mismatched-release"),
                             ("use.c", 37, "plain", "resource-leak")}
    by_fn = {f.function: f for f in result.findings}
    assert by_fn["leaky"].resource_kind == "pool_mem"
    assert by_fn["leaky"].rule_source == "attribute:pool_get"
    assert by_fn["leaky"].expected == "pool_put"
    assert by_fn["plain"].resource_kind == "malloc"


def test_gcc_malloc_dealloc_attribute(tmp_path):
    result = scan_sources(tmp_path, {"trie.h": """
        typedef struct trie trie_t;
        void trie_drop(int flags, trie_t *t);
        trie_t *trie_build(const char *path) __attribute__((malloc(trie_drop, 2)));
        char *trie_dump(trie_t *t) __attribute__((malloc, malloc(free)));
    """, "use.c": """
        #include <stdlib.h>
        #include "trie.h"
        int leaky(const char *path) {
            trie_t *t = trie_build(path);
            if (t == NULL)
                return -1;
            char *s = trie_dump(t);
            trie_drop(0, t);
            return s != NULL;
        }
        int fine(const char *path) {
            trie_t *t = trie_build(path);
            if (t == NULL)
                return -1;
            char *s = trie_dump(t);
            free(s);
            trie_drop(0, t);
            return 0;
        }
    """})
    assert brief(result) == {("use.c", 9, "leaky", "resource-leak")}
    (f,) = result.findings
    assert (f.acquirer, f.resource_kind, f.var) == ("trie_dump", "malloc", "s")


def test_attribute_rules_win_over_inference(tmp_path):
    # names say foo_new/foo_free; the attribute says foo_new's result goes back through foo_recycle
    result = scan_sources(tmp_path, {"foo.h": """
        typedef struct foo foo_t;
        void foo_recycle(foo_t *f);
        void foo_free(foo_t *f);
        foo_t *foo_new(void) __attribute__((malloc(foo_recycle)));
    """, "use.c": """
        #include "foo.h"
        void fine(void) {
            foo_t *f = foo_new();
            foo_recycle(f);
        }
    """})
    assert brief(result) == set()
    assert all(p["acquirer"] != "foo_new" for p in result.pairs)
