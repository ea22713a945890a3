"""Issue 2 §6, quiet: correct code through the real pipeline yields no finding at all."""
from __future__ import annotations

import pytest

from tests.conftest import brief
from tests.e2e.test_core_detect import C_HEADERS, CXX_HEADERS

CASES: dict[str, str] = {}

CASES["null_check_then_return"] = """
int parse(int n) {
    char *buf = malloc(n);
    if (buf == NULL)
        return -1;
    free(buf);
    return 0;
}
"""

CASES["freed_on_all_paths"] = """
int both(int n) {
    char *p = malloc(n);
    if (n > 4) {
        free(p);
        return 1;
    } else {
        free(p);
    }
    return 0;
}
"""

CASES["goto_cleanup_frees_all"] = """
int load(int n) {
    int rc = -1;
    char *a = malloc(n);
    char *b = NULL;
    if (!a) goto out;
    b = malloc(n);
    if (!b) goto out;
    rc = 0;
out:
    free(b);
    free(a);
    return rc;
}
"""

CASES["loop_frees_each_iteration"] = """
void each(int n) {
    for (int i = 0; i < n; i++) {
        char *q = malloc(8);
        if (!q)
            continue;
        memset(q, 0, 8);
        free(q);
    }
}
"""

CASES["returned_to_caller"] = """
char *make(int n) {
    char *p = malloc(n);
    if (!p)
        return NULL;
    memset(p, 0, n);
    return p;
}
"""

CASES["out_parameter"] = """
int make(char **out, int n) {
    char *p = malloc(n);
    if (!p)
        return -1;
    *out = p;
    return 0;
}
"""

CASES["stored_in_global"] = """
char *g_cache;
static char *g_slots[8];
void fill(int n) {
    g_cache = malloc(n);
    char *p = malloc(n);
    g_slots[n & 7] = p;
}
"""

CASES["stored_in_callers_struct_or_array"] = """
struct holder { char *buf; int fd; };
void keep(struct holder *h, int n) {
    char *p = malloc(n);
    h->buf = p;
}
void keep_fd(struct holder *h, const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    h->fd = fd;
}
void keep_all(char **arr, int n) {
    for (int i = 0; i < n; i++)
        arr[i] = malloc(8);
}
"""

CASES["passed_to_unknown_function"] = """
void take(char *p);
void give(int n) {
    char *p = malloc(n);
    take(p);
}
"""

CASES["exit_abort_on_failure"] = """
void need(int n) {
    char *p = malloc(n);
    if (!p)
        exit(1);
    if (n > 99)
        abort();
    free(p);
}
"""

CASES["freed_through_alias"] = """
void alias(int n) {
    char *p = malloc(n);
    char *q = p;
    free(q);
}
"""

CASES["realloc_through_temporary"] = """
int grow(int n) {
    char *p = malloc(16);
    if (!p) return -1;
    char *t = realloc(p, n);
    if (!t) {
        free(p);
        return -1;
    }
    p = t;
    free(p);
    return 0;
}
"""

CASES["handles_closed"] = """
int handles(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int fd = open(path, O_RDONLY);
    if (fd == -1) { fclose(f); return -1; }
    DIR *d = opendir(path);
    if (d == NULL) { close(fd); fclose(f); return -1; }
    closedir(d);
    close(fd);
    fclose(f);
    return 0;
}
"""

CASES["conditional_release_at_end"] = """
void maybe(const char *path, int n) {
    char *p = malloc(n);
    FILE *f = fopen(path, "r");
    int fd = open(path, O_RDONLY);
    if (p) free(p);
    if (f) fclose(f);
    if (fd >= 0) close(fd);
}
"""

CASES["out_parameter_acquire_checked_by_status"] = """
int fmt(int x) {
    char *s;
    if (asprintf(&s, "%d", x) < 0)
        return -1;
    puts(s);
    free(s);
    return 0;
}
int fmt2(int x) {
    char *s = NULL;
    int rc = asprintf(&s, "%d", x);
    if (rc == -1)
        return -1;
    free(s);
    return 0;
}
int aligned(int n) {
    void *p;
    if (posix_memalign(&p, 64, n) != 0)
        return -1;
    free(p);
    return 0;
}
int aligned2(int n) {
    void *p;
    if (posix_memalign(&p, 64, n))
        return -1;
    free(p);
    return 0;
}
int resolve(const char *host) {
    struct addrinfo *res;
    if (getaddrinfo(host, "80", NULL, &res) != 0)
        return -1;
    freeaddrinfo(res);
    return 0;
}
"""

CASES["getline_reuses_its_buffer"] = """
int lines(FILE *f) {
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    while (getline(&line, &cap, f) > 0)
        n++;
    free(line);
    return n;
}
"""

CASES["fdopen_fdopendir_adopt_descriptor"] = """
FILE *wrap(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    FILE *fp = fdopen(fd, "r");
    if (fp == NULL) {
        close(fd);
        return NULL;
    }
    return fp;
}
DIR *wrapdir(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return NULL;
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return NULL; }
    return d;
}
"""

CASES["pointer_bytes_copied_into_a_slot"] = """
struct node { unsigned char data[16]; };
static void set_data(struct node *n, void *data) {
    memcpy(n->data, &data, sizeof(data));
}
void insert(struct node *n, int size) {
    char *value = malloc(size);
    set_data(n, value);
}
void insert_direct(unsigned char *slot, int size) {
    char *value = malloc(size);
    memcpy(slot, &value, sizeof(value));
}
"""

CASES["descriptor_stored_by_a_constructor"] = """
struct conn { int fd; int state; };
struct conn *conn_create(int fd) {
    struct conn *c = malloc(sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    c->state = 1;
    return c;
}
void accept_loop(int lfd, struct conn **out, int max) {
    while (max--) {
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) return;
        out[max] = conn_create(cfd);
    }
}
"""

CASES["vector_handed_to_a_function_that_keeps_it"] = """
struct client { void **argv; int argc; };
void replace_vector(struct client *c, int argc, void **argv) {
    free(c->argv);
    c->argv = argv;
    c->argc = argc;
}
void migrate(struct client *c, int n) {
    void **newargv = malloc(sizeof(void *) * (n + 1));
    if (n > 1)
        replace_vector(c, n, newargv);
    else
        free(newargv);
    newargv = NULL;
}
"""

CXX_CASES: dict[str, str] = {}

CXX_CASES["pointer_inserted_into_container"] = """
#include <set>
#include <vector>
struct Meta { int n; };
void keep(std::set<Meta *> *files, std::vector<char *> &names, int n) {
    Meta *m = new Meta();
    files->insert(m);
    char *s = static_cast<char *>(std::malloc(n));
    names.push_back(s);
}
"""

CXX_CASES["unique_ptr_constructor"] = """
#include <memory>
struct Obj { int v; explicit Obj(int x) : v(x) {} };
int use(int n) {
    std::unique_ptr<Obj> u(new Obj(n));
    if (n > 3) return 1;
    return 0;
}
"""

CXX_CASES["unique_ptr_reset"] = """
#include <memory>
struct Obj { int v; explicit Obj(int x) : v(x) {} };
int use(int n) {
    std::unique_ptr<Obj> u;
    u.reset(new Obj(n));
    if (n > 3) return 1;
    return 0;
}
"""

CXX_CASES["shared_ptr_constructor"] = """
#include <memory>
struct Obj { int v; explicit Obj(int x) : v(x) {} };
int use(int n) {
    std::shared_ptr<Obj> s(new Obj(n));
    if (n > 3) return 1;
    return 0;
}
"""

CXX_CASES["make_unique_make_shared"] = """
#include <memory>
struct Obj { int v; explicit Obj(int x) : v(x) {} };
int use(int n) {
    auto u = std::make_unique<Obj>(n);
    auto s = std::make_shared<Obj>(n);
    if (n > 3) return 1;
    return u->v + s->v;
}
"""

CXX_CASES["unique_ptr_to_const"] = """
#include <memory>
struct Obj { int v; explicit Obj(int x) : v(x) {} };
int use(int n) {
    std::unique_ptr<const Obj> u(new Obj(n));
    std::shared_ptr<const Obj> s;
    s.reset(new Obj(n));
    if (n > 3) return 1;
    return 0;
}
"""

CXX_CASES["smart_pointer_with_deleter"] = """
#include <memory>
#include <cstdio>
int use(const char *path, const char *s) {
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path, "r"), std::fclose);
    if (!f) return -1;
    std::shared_ptr<char> copy(strdup(s), std::free);
    return copy ? 0 : 1;
}
"""

CXX_CASES["reference_counted_object"] = """
struct Table {
    int refs = 0;
    void Ref() { ++refs; }
    void Unref() { if (--refs <= 0) delete this; }
};
int convert(int n) {
    Table *mem = new Table();
    mem->Ref();
    if (n > 2) {
        mem->Unref();
        return 1;
    }
    mem->Unref();
    mem = nullptr;
    return 0;
}
"""

CXX_CASES["new_deleted"] = """
struct Obj { int v; };
int use(int n) {
    Obj *o = new Obj();
    int *v = new int[n];
    if (n > 3) {
        delete o;
        delete[] v;
        return 1;
    }
    delete[] v;
    delete o;
    return 0;
}
"""


@pytest.mark.parametrize("case", sorted(CASES))
def test_c_quiet(scan, case):
    result = scan(C_HEADERS + CASES[case], "snippet.c")
    assert brief(result) == set()
    assert not result.diagnostics


@pytest.mark.parametrize("case", sorted(CXX_CASES))
def test_cxx_quiet(scan, case):
    result = scan(CXX_HEADERS + CXX_CASES[case], "snippet.cpp")
    assert brief(result) == set()
    assert not result.diagnostics


def test_assert_refines_even_in_release_builds(scan):
    """`-DNDEBUG` (release compile databases) would erase the assert; the scan keeps assertions."""
    src = """
#include <cassert>
class Writer { public: explicit Writer(int n) : n_(n) {} int n_; };
class Db {
public:
    Db() : log_(nullptr) {}
    ~Db() { delete log_; }
    void Reopen(int n);
private:
    Writer *log_;
};
void Db::Reopen(int n) {
    assert(log_ == nullptr);
    log_ = new Writer(n);
}
"""
    assert brief(scan(src, "db.cpp", extra=("-DNDEBUG",))) == set()
    # control: without the assertion the overwrite is reported
    unasserted = src.replace("    assert(log_ == nullptr);\n", "")
    assert {r for _, _, _, r in brief(scan(unasserted, "db.cpp", extra=("-DNDEBUG",)))} == {"leak-on-overwrite"}
