"""Inferred create/destroy pairs: names bound by types, from declarations alone, through the real pipeline."""
from __future__ import annotations

import textwrap

from analyzer.cli import main
from analyzer.codec import to_plain
from analyzer.rules import RuleSetBuilder, load_rules_text
from tests.conftest import brief, scan_sources

# A library header with declarations only: the bodies live in a file that is not scanned.
XX_H = """
    #ifndef XX_H
    #define XX_H
    #include <stddef.h>
    #ifdef __cplusplus
    extern "C" {
    #endif
    typedef struct xx_dict xx_dict_t;
    typedef struct xx_pack { int hit_count; } xx_pack_t;
    typedef struct trie trie_t;
    typedef struct xx_iter xx_iter_t;
    xx_dict_t *xx_dict_load(const char *path, int n_terms);
    void xx_dict_del(xx_dict_t *dict);
    xx_pack_t *xx_pack_create(int max_hits);
    void xx_pack_del(xx_pack_t *pack);
    int xx_search(const xx_dict_t *dict, const char *text, size_t len, xx_pack_t *pack);
    int xx_pack_attach(xx_dict_t *dict, xx_pack_t *pack);
    int trie_open(const char *path, trie_t **out);
    int trie_close(trie_t *t);
    /* decoys: getters of borrowed pointers, an iterator, a releaser of an unrelated type */
    xx_pack_t *xx_get_pack(xx_dict_t *d);
    xx_pack_t *xx_find_pack(xx_dict_t *d, int id);
    xx_pack_t *xx_lookup_create(xx_dict_t *d, int id);
    xx_iter_t *xx_begin(xx_dict_t *d);
    void xx_end(xx_iter_t *it);
    xx_iter_t *xx_iter_new(xx_dict_t *d);
    void xx_iter_free(xx_dict_t *d);
    #ifdef __cplusplus
    }
    #endif
    #endif
"""

# The story: a dictionary class creates a result pack per call and forgets it on the no-hit return.
DICT_CPP = """
    #include "xx.h"
    #include <string>
    namespace svc {
    class term_dict {
    public:
        int search(const std::string &q);
        int count(const std::string &q);
    private:
        xx_dict_t *dict_ = nullptr;
    };
    int term_dict::search(const std::string &q) {
        if (dict_ == nullptr)
            return -1;
        xx_pack_t *pack = xx_pack_create(16);
        if (pack == nullptr)
            return -1;
        int ret = xx_search(dict_, q.data(), q.size(), pack);
        if (ret < 0) {
            xx_pack_del(pack);
            return -1;
        }
        if (ret == 0)
            return 0;
        int n = pack->hit_count;
        xx_pack_del(pack);
        return n;
    }
    int term_dict::count(const std::string &q) {
        xx_pack_t *pack = xx_pack_create(16);
        if (pack == nullptr)
            return -1;
        int ret = xx_search(dict_, q.data(), q.size(), pack);
        if (ret <= 0) {
            xx_pack_del(pack);
            return ret;
        }
        xx_pack_del(pack);
        return ret;
    }
    }
"""


def _pairs(result) -> dict[tuple[str, str], dict]:
    return {(p.acquirer, p.releaser): to_plain(p) for p in result.pairs}


def test_story_early_return_leak_with_inferred_pair(tmp_path):
    result = scan_sources(tmp_path, {"xx.h": XX_H, "dict.cpp": DICT_CPP})
    assert brief(result) == {("dict.cpp", 23, "svc::term_dict::search", "resource-leak")}
    (finding,) = result.findings
    assert finding.acquire.line == 14
    assert finding.resource_kind == "xx_pack"
    assert finding.acquirer == "xx_pack_create"
    assert finding.expected == "xx_pack_del"
    assert finding.rule_source == "inferred:xx_pack_create/xx_pack_del"


def test_no_infer_turns_the_pairs_off(tmp_path):
    result = scan_sources(tmp_path, {"xx.h": XX_H, "dict.cpp": DICT_CPP}, infer=False)
    assert brief(result) == set()
    assert result.pairs == ()


def test_pairs_from_declarations_alone_and_decoys(tmp_path):
    result = scan_sources(tmp_path, {"xx.h": XX_H, "use.c": '#include "xx.h"\nint unused(void) { return 0; }\n'})
    pairs = _pairs(result)
    assert set(pairs) == {("xx_dict_load", "xx_dict_del"), ("xx_pack_create", "xx_pack_del"),
                          ("trie_open", "trie_close")}
    assert pairs[("trie_open", "trie_close")]["out_arg"] == 1
    assert pairs[("xx_pack_create", "xx_pack_del")]["kind"] == "xx_pack"
    for p in pairs.values():
        assert p["confidence"] == "high"
        assert any(e.startswith("names:") for e in p["evidence"])
        assert any(e.startswith("types:") for e in p["evidence"])


def test_out_parameter_acquirer(tmp_path):
    result = scan_sources(tmp_path, {"xx.h": XX_H, "trie_use.c": """
        #include "xx.h"
        #include <stddef.h>
        int leaky(const char *path) {
            trie_t *t = NULL;
            if (trie_open(path, &t) != 0)
                return -1;
            if (path[0] == 'x')
                return -2;
            trie_close(t);
            return 0;
        }
        int fine(const char *path) {
            trie_t *t = NULL;
            if (trie_open(path, &t) != 0)
                return -1;
            trie_close(t);
            return 0;
        }
    """})
    assert brief(result) == {("trie_use.c", 8, "leaky", "resource-leak")}


def test_borrower_keeps_tracking_but_transfer_verb_ends_it(tmp_path):
    result = scan_sources(tmp_path, {"xx.h": XX_H, "b.c": """
        #include "xx.h"
        int searched(xx_dict_t *d, const char *s) {
            xx_pack_t *p = xx_pack_create(4);
            if (!p)
                return -1;
            int n = xx_search(d, s, 3, p);
            return n;
        }
        int attached(xx_dict_t *d) {
            xx_pack_t *p = xx_pack_create(4);
            if (!p)
                return -1;
            return xx_pack_attach(d, p);
        }
    """})
    assert brief(result) == {("b.c", 7, "searched", "resource-leak")}


def test_unrelated_types_getters_and_iterators_do_not_pair(tmp_path):
    result = scan_sources(tmp_path, {"xx.h": XX_H, "d.c": """
        #include "xx.h"
        int walk(xx_dict_t *d) {
            xx_iter_t *it = xx_begin(d);
            xx_pack_t *a = xx_get_pack(d);
            xx_pack_t *b = xx_find_pack(d, 1);
            xx_pack_t *c = xx_lookup_create(d, 2);
            xx_iter_t *i2 = xx_iter_new(d);
            return (it != 0) + (a != 0) + (b != 0) + (c != 0) + (i2 != 0);
        }
    """})
    acquirers = {p.acquirer for p in result.pairs}
    assert not acquirers & {"xx_begin", "xx_get_pack", "xx_find_pack", "xx_lookup_create", "xx_iter_new"}
    assert brief(result) == set()


def test_getter_pairs_only_when_behaviour_says_owned(tmp_path, capsys):
    (tmp_path / "node.h").write_text(textwrap.dedent("""
        typedef struct node { int key; } node_t;
        node_t *node_find_or_create(int key);
        node_t *node_lookup_create(int key);
        void node_free(node_t *n);
    """))
    (tmp_path / "node.c").write_text(textwrap.dedent("""
        #include <stdlib.h>
        #include "node.h"
        static node_t table[4];
        node_t *node_find_or_create(int key) {
            node_t *n = malloc(sizeof *n);
            if (n == NULL)
                return NULL;
            n->key = key;
            return n;
        }
        node_t *node_lookup_create(int key) { return &table[key & 3]; }
        void node_free(node_t *n) { free(n); }
    """))
    assert main(["pairs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "node_find_or_create() -> node_free()" in out
    assert "getter-like name, but behaviour shows an owned result" in out
    assert "node_lookup_create" not in out


def test_low_confidence_pairs_produce_no_findings(tmp_path, capsys):
    files = {
        "blob.h": "void *blob_copy(const void *p, unsigned n);\n",
        "rel.h": "void blob_release(void *p);\n",
        "use.c": """
            #include "blob.h"
            #include "rel.h"
            int use(const void *src) {
                void *b = blob_copy(src, 4);
                if (!b)
                    return -1;
                return 0;
            }
        """,
    }
    result = scan_sources(tmp_path, files)
    assert brief(result) == set()
    assert result.pairs == ()
    assert main(["pairs", "--all", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "low" in out and "blob_copy() -> blob_release()" in out
    assert main(["pairs", str(tmp_path)]) == 0
    assert "blob_copy" not in capsys.readouterr().out


def test_pairs_command_writes_reviewable_rules(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "xx.h").write_text(textwrap.dedent(XX_H).lstrip())
    (src / "dict.cpp").write_text(textwrap.dedent(DICT_CPP).lstrip())
    rules_file = tmp_path / "inferred.toml"
    assert main(["pairs", str(src), "--write-rules", str(rules_file)]) == 0
    out = capsys.readouterr().out
    assert "xx_pack_create() -> xx_pack_del() argument 1" in out
    assert "trie_open(), out-parameter 2 -> trie_close()" in out
    text = rules_file.read_text()
    rules = RuleSetBuilder()
    load_rules_text(text, str(rules_file), rules, "rules:inferred.toml")
    assert rules.acquire_for("trie_open").out_arg == 1
    assert rules.releases_for("xx_pack_del")[0].kind == "xx_pack"
    assert "xx_search" in rules.borrows
    # the reviewed file replaces inference
    code = main(["scan", "-q", "--no-infer", "--rules", str(rules_file), str(src)])
    assert code == 1
    assert "dict.cpp:23:" in capsys.readouterr().out


def test_pairs_command_input_errors(tmp_path, capsys):
    assert main(["pairs", str(tmp_path / "missing")]) == 2
    assert "missing" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["pairs", str(tmp_path / "empty")]) == 2
    assert "no C or C++ source files" in capsys.readouterr().err


def test_element_removal_is_not_a_destructor(tmp_path):
    result = scan_sources(tmp_path, {"kv.h": """
        typedef struct kv kv_t;
        kv_t *kv_create(void);
        void kv_release(kv_t *d);
        int kv_delete(kv_t *d, const char *key);
        int kv_put(kv_t *d, const char *key, int v);
    """, "use.c": """
        #include "kv.h"
        int drop(const char *k) {
            kv_t *d = kv_create();
            if (!d)
                return -1;
            kv_delete(d, k);
            kv_put(d, k, 1);
            return 0;
        }
        int fine(const char *k) {
            kv_t *d = kv_create();
            if (!d)
                return -1;
            kv_delete(d, k);
            kv_release(d);
            return 0;
        }
    """})
    assert set(_pairs(result)) == {("kv_create", "kv_release")}
    # kv_put may keep d (transfer verb): tracking ends there, kv_delete only borrows it
    assert brief(result) == set()


def test_body_that_never_releases_the_argument_is_no_releaser(tmp_path):
    result = scan_sources(tmp_path, {"obj.h": """
        typedef struct obj { char *ptr; } obj_t;
        obj_t *obj_create(const char *s);
        void obj_free(obj_t *o);
    """, "obj.c": """
        #include <stdlib.h>
        #include <string.h>
        #include "obj.h"
        obj_t *obj_create(const char *s) {
            obj_t *o = malloc(sizeof *o);
            if (o == NULL)
                return NULL;
            o->ptr = strdup(s);
            return o;
        }
        /* frees what the object points to, not the object */
        void obj_free(obj_t *o) { free(o->ptr); }
    """})
    assert _pairs(result) == {}


def test_generic_allocator_pair_and_cxx_namespaces(tmp_path):
    result = scan_sources(tmp_path, {"mem.h": """
        #include <stddef.h>
        void *xm_malloc(size_t n);
        void xm_free(void *p);
        namespace gfx {
        struct Widget { int w; };
        Widget *make_widget(int w);
        void free_widget(Widget *w);
        }
    """, "use.cpp": """
        #include "mem.h"
        int leaky(int n) {
            char *p = (char *)xm_malloc(n);
            if (!p)
                return -1;
            if (n > 4)
                return 1;
            xm_free(p);
            return 0;
        }
        int widgets(int n) {
            gfx::Widget *w = gfx::make_widget(n);
            if (!w)
                return -1;
            if (n > 4)
                return 1;
            gfx::free_widget(w);
            return 0;
        }
    """})
    pairs = _pairs(result)
    assert pairs[("xm_malloc", "xm_free")]["confidence"] == "medium"
    assert pairs[("gfx::make_widget", "gfx::free_widget")]["confidence"] == "high"
    assert brief(result) == {("use.cpp", 7, "leaky", "resource-leak"), ("use.cpp", 16, "widgets", "resource-leak")}


def test_acquirers_sharing_a_releaser_share_a_kind(tmp_path):
    result = scan_sources(tmp_path, {"zm.h": """
        #include <stddef.h>
        void *zz_malloc(size_t n);
        void *zz_calloc(size_t n);
        char *zz_strdup(const char *s);
        void zz_free(void *p);
    """, "use.c": """
        #include "zm.h"
        int once(const char *s) {
            char *a = zz_strdup(s);
            if (!a)
                return -1;
            zz_free(a);
            return 0;
        }
        int twice(void) {
            char *b = zz_calloc(4);
            if (!b)
                return -1;
            zz_free(b);
            zz_free(b);
            return 0;
        }
    """})
    assert {p.kind for p in result.pairs} == {"zz_malloc"}
    assert brief(result) == {("use.c", 14, "twice", "double-release")}


def test_constructors_that_register_their_object_are_no_acquirers(tmp_path):
    result = scan_sources(tmp_path, {"reg.h": """
        typedef struct group { int n; } group_t;
        typedef struct item { char *name; } item_t;
        group_t *group_create(int n);
        void group_free(group_t *g);
        item_t *item_create(char *name);
        void item_free(item_t *it);
    """, "reg.c": """
        #include <stdlib.h>
        #include "reg.h"
        static group_t *registry[16];
        static int count;
        group_t *group_create(int n) {
            group_t *g = malloc(sizeof *g);
            if (g == NULL)
                return NULL;
            g->n = n;
            registry[count++] = g;
            return g;
        }
        void group_free(group_t *g) { free(g); }
        item_t *item_create(char *name) {
            item_t *it = malloc(sizeof *it);
            if (it == NULL)
                return NULL;
            it->name = name;
            return it;
        }
        void item_free(item_t *it) { free(it->name); free(it); }
    """, "use.c": """
        #include <stdlib.h>
        #include <string.h>
        #include "reg.h"
        int use(int n) {
            group_t *g = group_create(n);
            return g != NULL;
        }
        int named(const char *s) {
            char *name = strdup(s);
            if (name == NULL)
                return -1;
            item_t *it = item_create(name);
            if (it == NULL) {
                free(name);
                return -1;
            }
            item_free(it);
            return 0;
        }
    """})
    pairs = _pairs(result)
    assert ("group_create", "group_free") not in pairs
    assert pairs[("item_create", "item_free")]["confidence"] == "high"
    # item_create keeps `name`: its summary (a sink), not a rule borrowing every argument, speaks for it
    assert not any(f.function == "named" for f in result.findings)
    # group_create's summary still calls the registered group owned: see test_summaries
    assert all(not f.rule_source.startswith("inferred:") for f in result.findings)
