# ruff: noqa: E501  (C sources one function per line)
"""Structs on the stack that own heap memory (git's strbuf, libgit2's git_buf): grown by calls that store a fresh
block in one of their fields, released by the call that frees it, handed over by the call that returns the field
and resets it, or by the caller freeing or returning the field itself."""
from tests.conftest import brief, scan_sources

TEXTBUF = r"""
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
struct textbuf { char *buf; size_t len, alloc; };
#define TEXTBUF_INIT { NULL, 0, 0 }
static void grow(struct textbuf *tb, size_t extra) { char *p; if (tb->len + extra + 1 <= tb->alloc) return; tb->alloc = (tb->len + extra + 1) * 2; p = realloc(tb->buf, tb->alloc); if (!p) abort(); tb->buf = p; }
void textbuf_add(struct textbuf *tb, const char *s) { size_t n = strlen(s); grow(tb, n); memcpy(tb->buf + tb->len, s, n + 1); tb->len += n; }
void textbuf_release(struct textbuf *tb) { if (tb->alloc) { free(tb->buf); tb->buf = NULL; tb->len = tb->alloc = 0; } }
char *textbuf_detach(struct textbuf *tb) { char *out = tb->buf; tb->buf = NULL; tb->len = tb->alloc = 0; return out; }
const char *textbuf_str(struct textbuf *tb) { return tb->buf; }
static void add_line(struct textbuf *tb, const char *s) { textbuf_add(tb, s); textbuf_add(tb, "\n"); }
static void cleanup(struct textbuf *tb) { textbuf_release(tb); }
void external_sink(struct textbuf *tb);
int leaks(const char *s, int bad) { struct textbuf tb = TEXTBUF_INIT; textbuf_add(&tb, s); if (bad) return -1; puts(textbuf_str(&tb)); textbuf_release(&tb); return 0; }
char *detached(const char *s) { struct textbuf tb = TEXTBUF_INIT; textbuf_add(&tb, s); return textbuf_detach(&tb); }
void freed_by_hand(const char *s) { struct textbuf tb = TEXTBUF_INIT; textbuf_add(&tb, s); free(tb.buf); }
char *returned_field(const char *s) { struct textbuf tb = TEXTBUF_INIT; textbuf_add(&tb, s); return tb.buf; }
int wrapped(const char *s, int bad) { struct textbuf tb = TEXTBUF_INIT; add_line(&tb, s); if (bad) return -1; cleanup(&tb); return 0; }
void handed_away(const char *s) { struct textbuf tb = TEXTBUF_INIT; textbuf_add(&tb, s); external_sink(&tb); }
void never_grown(void) { struct textbuf tb = TEXTBUF_INIT; textbuf_release(&tb); }
"""


def test_local_structs_owning_heap_memory(tmp_path):
    found = brief(scan_sources(tmp_path, {"tb.c": TEXTBUF}))
    assert found == {("tb.c", 14, "leaks", "resource-leak"), ("tb.c", 18, "wrapped", "resource-leak")}


COPIED_OUT = r"""
#include <stdlib.h>
#include <string.h>
struct textbuf { char *buf; size_t len; };
void textbuf_set(struct textbuf *tb, const char *s) { tb->buf = strdup(s); tb->len = strlen(s); }
void keep(char *p);
void copied_then_freed(const char *s) { struct textbuf tb = { NULL, 0 }; textbuf_set(&tb, s); char *p = tb.buf; free(p); }
void field_passed_on(const char *s) { struct textbuf tb = { NULL, 0 }; textbuf_set(&tb, s); keep(tb.buf); }
void forgotten(const char *s) { struct textbuf tb = { NULL, 0 }; textbuf_set(&tb, s); }
"""


def test_a_field_copied_out_or_passed_on_takes_the_block(tmp_path):
    assert brief(scan_sources(tmp_path, {"c.c": COPIED_OUT})) == {("c.c", 8, "forgotten", "resource-leak")}


STATUS = r"""
#include <stdlib.h>
struct msg { char *data; int n; };
int msg_get(struct msg *m, int avail) { if (avail == 0) return 0; m->data = malloc(avail); if (!m->data) return -1; return avail; }
int msg_load(struct msg *m, int n) { m->data = malloc(n); if (!m->data) return -1; return 0; }
void msg_free(struct msg *m) { free(m->data); }
int use_get(int a) { struct msg m; int n = msg_get(&m, a); if (n == -1) return -1; if (n == 0) return 0; msg_free(&m); return 1; }
int use_load(int n, int bad) { struct msg m; if (msg_load(&m, n) < 0) return -1; if (bad) return 1; msg_free(&m); return 0; }
"""


def test_a_fill_tied_to_the_result(tmp_path):
    """A fill on success only (every other path returns a negative error) is undone by testing the result; a
    function whose "nothing" result is 0 does not fill in a way the caller can tell (quiet)."""
    assert brief(scan_sources(tmp_path, {"m.c": STATUS})) == {("m.c", 7, "use_load", "resource-leak")}


FILLED_THEN_TESTED = r"""
#include <stdlib.h>
#include <sys/mman.h>
typedef struct { unsigned char *addr; size_t size; } shm_t;
int shm_alloc(shm_t *shm) {
    shm->addr = (unsigned char *) mmap(NULL, shm->size, PROT_READ|PROT_WRITE, MAP_ANON|MAP_SHARED, -1, 0);
    if (shm->addr == MAP_FAILED) return -1;
    return 0;
}
void shm_free(shm_t *shm) { munmap((void *) shm->addr, shm->size); }
struct buf { char *data; };
int buf_init(struct buf *b, size_t n) { b->data = malloc(n); if (b->data == NULL) return -1; return 0; }
void buf_dispose(struct buf *b) { free(b->data); }
int map_ok(void) { shm_t shm; shm.size = 4096; if (shm_alloc(&shm) != 0) return -1; shm_free(&shm); return 0; }
int map_kept(void) { shm_t shm; shm.size = 4096; if (shm_alloc(&shm) != 0) return -1; return 0; }
int buf_ok(void) { struct buf b; if (buf_init(&b, 8) < 0) return -1; buf_dispose(&b); return 0; }
int buf_lost(void) { struct buf b; if (buf_init(&b, 8) < 0) return -1; return 1; }
"""


def test_a_field_filled_then_found_invalid_was_not_filled(tmp_path):
    """The callee stores the block in its struct parameter's field before testing it (`shm->addr = mmap(..); if
    (shm->addr == MAP_FAILED) return -1;`): on that return nothing was filled, so the caller's failure exit owns
    nothing. Forgetting the release on success still leaks."""
    found = brief(scan_sources(tmp_path, {"f.c": FILLED_THEN_TESTED}))
    assert found == {("f.c", 14, "map_kept", "resource-leak"), ("f.c", 16, "buf_lost", "resource-leak")}


FILLED_ON_SUCCESS_WITH_ERROR = r"""
#include <stdlib.h>
#include <string.h>
typedef struct { char *name; char *code; } meta;
int extract(const char *src, meta *md, char **err) {
    char *name = NULL;
    if (src[0] != '#') { *err = strdup("bad"); goto error; }
    name = strdup(src + 1);
    if (!name) { *err = strdup("oom"); goto error; }
    md->name = name;
    md->code = strdup(src);
    return 0;
error:
    if (name) free(name);
    return -1;
}
void meta_free(meta *md) { free(md->code); free(md->name); }
char *create(const char *src, char **err) {
    meta md = {0};
    if (extract(src, &md, err) != 0) return NULL;
    char *r = strdup(md.name);
    meta_free(&md);
    return r;
}
char *create_kept(const char *src, char **err) { meta md = {0}; if (extract(src, &md, err) != 0) return NULL; return strdup(md.name); }
"""


def test_a_fill_on_success_that_also_passes_an_error_string_on(tmp_path):
    """The callee fills the struct only on success and sets the caller's error string (our own parameter, passed
    on) only on failure: the result's test still decides the fill (redis functionExtractLibMetaData)."""
    found = brief(scan_sources(tmp_path, {"e.c": FILLED_ON_SUCCESS_WITH_ERROR}))
    assert found == {("e.c", 24, "create_kept", "resource-leak")}
