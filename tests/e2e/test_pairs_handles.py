"""Pairs of integer handles and allocator variants (issue 10): a function returning what socket()/accept4()/open()
returned (through a retry loop, after fcntl, or a negative error) acquires a descriptor and pairs with the project's
outer close; a function returning what a paired allocator returned pairs with its releaser; `xx_strndup` is a
string copy. Decoys: getters of a stored descriptor, functions that store it, return their argument or close it
before returning a status, an inner close another close calls, a conditional close, an allocator result that is
published or mixed with a string literal. Real C through the real pipeline."""
from __future__ import annotations

from tests.conftest import brief, scan_sources

FD_C = """
    #define _GNU_SOURCE
    #include <errno.h>
    #include <fcntl.h>
    #include <unistd.h>
    #include <sys/socket.h>
    #include <sys/syscall.h>
    #define ERR(x) (-(x))
    typedef struct conn { int fd; } conn;
    int fd_nonblock(int fd, int set) {
        int r;
        do
            r = fcntl(fd, F_GETFL);
        while (r == -1 && errno == EINTR);
        if (r == -1)
            return ERR(errno);
        return 0;
    }
    int fd_close_nocancel(int fd) { return syscall(SYS_close, fd); }
    int fd_close(int fd) {
        int rc = fd_close_nocancel(fd);
        if (rc == -1)
            return ERR(errno);
        return rc;
    }
    int fd_socket(int domain, int type, int protocol) {
        int sockfd, err;
        sockfd = socket(domain, type | SOCK_CLOEXEC, protocol);
        if (sockfd != -1)
            return sockfd;
        if (errno != EINVAL)
            return ERR(errno);
        sockfd = socket(domain, type, protocol);
        if (sockfd == -1)
            return ERR(errno);
        err = fd_nonblock(sockfd, 1);
        if (err) {
            fd_close(sockfd);
            return err;
        }
        return sockfd;
    }
    int fd_accept(int sockfd) {
        int peerfd;
        do
            peerfd = accept4(sockfd, NULL, NULL, SOCK_CLOEXEC);
        while (peerfd == -1 && errno == EINTR);
        if (peerfd == -1)
            return ERR(errno);
        return peerfd;
    }
    int fd_open_cloexec(const char *path, int flags) {
        int fd = open(path, flags | O_CLOEXEC);
        if (fd == -1)
            return ERR(errno);
        return fd;
    }
    int conn_fd(conn *c) { return c->fd; }
    int conn_connect(conn *c) {
        int fd = fd_socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return fd;
        c->fd = fd;
        return fd;
    }
    int fd_checked(int fd) {
        if (fd < 0)
            return -1;
        return fd;
    }
    int fd_slurp(const char *path, char *buf, int len) {
        int n, fd = fd_open_cloexec(path, O_RDONLY);
        if (fd < 0)
            return fd;
        n = read(fd, buf, len - 1);
        fd_close(fd);
        if (n < 0)
            return ERR(errno);
        buf[n] = 0;
        return 0;
    }
    int fd_maybe_close(int fd, int flag) {
        if (flag)
            close(fd);
        return 0;
    }
    int use(const char *path, int bad) {
        int fd = fd_open_cloexec(path, O_RDONLY);
        if (fd < 0)
            return -1;
        if (bad)
            return -2;
        fd_close(fd);
        return 0;
    }
"""


def test_descriptor_constructors_pair_with_the_outer_close(tmp_path):
    result = scan_sources(tmp_path, {"fd.c": FD_C})
    # the inner close (fd_close calls it) stays out (low): the project's close is fd_close
    assert {(p.acquirer, p.releaser, p.release_arg, p.kind) for p in result.pairs} == {
        ("fd_socket", "fd_close", 0, "fd"), ("fd_accept", "fd_close", 0, "fd"),
        ("fd_open_cloexec", "fd_close", 0, "fd")}
    assert brief(result) == {("fd.c", 91, "use", "resource-leak")}


MEM_C = """
    #include <string.h>
    #include <stdlib.h>
    typedef struct lib_config { void *(*xMalloc)(size_t); void (*xFree)(void *); } lib_config;
    static lib_config lib_global = { malloc, free };
    static void *lib_last;
    void *lib_malloc(size_t n) { return lib_global.xMalloc(n); }
    void lib_free(void *p) {
        if (p)
            lib_global.xFree(p);
    }
    void *lib_malloc64(unsigned long long n) {
        if (n > 1000000)
            return NULL;
        return lib_malloc(n);
    }
    void *lib_malloc_zero(size_t n) {
        void *p = lib_malloc(n);
        if (p)
            memset(p, 0, n);
        return p;
    }
    void *lib_malloc_zero_big(size_t n) { return lib_malloc_zero(n * 2); }
    char *lib_strndup(const char *s, size_t n) {
        char *m = lib_malloc(n + 1);
        if (m == NULL)
            return NULL;
        m[n] = '\\0';
        return memcpy(m, s, n);
    }
    void *lib_remember(size_t n) {
        void *p = lib_malloc(n);
        lib_last = p;
        return p;
    }
    void *lib_recent(void) { return lib_last; }
    void *lib_malloc_pooled(size_t n) {
        void *p = lib_last;
        if (p != NULL) {
            lib_last = NULL;
            return p;
        }
        return lib_malloc(n);
    }
    void *lib_malloc_hint(void) { return lib_last; }
    void *lib_label(int fallback) {
        void *s;
        if (fallback)
            return "none";
        s = lib_malloc(8);
        if (s)
            strcpy(s, "label");
        return s;
    }
    int use(size_t n, int bad) {
        char *p = lib_malloc_zero(n);
        if (p == NULL)
            return -1;
        if (bad)
            return -2;
        lib_free(p);
        return 0;
    }
"""


def test_allocator_variants_and_string_copies_pair_with_the_allocators_releaser(tmp_path):
    result = scan_sources(tmp_path, {"mem.c": MEM_C})
    confident = {(p.acquirer, p.releaser, p.release_arg) for p in result.pairs}
    # lib_malloc64 and lib_malloc_zero do not share lib_free's whole name: their bodies pair them; lib_malloc_pooled
    # reuses a spare block (no variant), but it is raw memory from an allocation verb, it returns what lib_malloc
    # returned, and lib_free releases through the table's xFree
    assert confident == {("lib_malloc", "lib_free", 0), ("lib_malloc64", "lib_free", 0),
                         ("lib_malloc_zero", "lib_free", 0), ("lib_malloc_zero_big", "lib_free", 0),
                         ("lib_strndup", "lib_free", 0), ("lib_malloc_pooled", "lib_free", 0)}
    assert {p.acquirer for p in result.pairs} & {"lib_remember", "lib_recent", "lib_label", "lib_malloc_hint"} == set()
    assert brief(result) == {("mem.c", 59, "use", "resource-leak")}


DB_C = """
    #include <stdlib.h>
    typedef struct db { int busy; } db;
    static db *shared_db;
    static void clear_out(db **out) { *out = NULL; }
    static int reuse_out(db **out, db *cached) {
        *out = cached;
        return 0;
    }
    static int open_database(const char *name, db **out, int flags) {
        db *d;
        *out = NULL;
        d = calloc(1, sizeof *d);
        if (d == NULL)
            return -1;
        if (flags < 0) {
            free(d);
            d = NULL;
        }
        *out = d;
        return d != NULL ? 0 : -1;
    }
    int db_open(const char *name, db **out) {
        clear_out(out);
        if (name == NULL)
            return reuse_out(out, shared_db);
        return open_database(name, out, 0);
    }
    int db_close(db *d) {
        if (d->busy)
            return 1;
        free(d);
        return 0;
    }
    int use(const char *name, int bad) {
        db *d;
        if (open_database(name, &d, 1) != 0)
            return -1;
        if (bad)
            return -2;
        db_close(d);
        return 0;
    }
"""


def test_a_named_out_parameter_acquirer_hands_its_parameter_to_the_real_constructor(tmp_path):
    # db_close returns early when busy (no release on every path): only the names pair db_open with it, and
    # db_open's body hands `out` to open_database, which stores a new db through it; clear_out stores only NULL
    # and reuse_out a borrowed parameter: no constructors
    result = scan_sources(tmp_path, {"db.c": DB_C})
    assert {(p.acquirer, p.out_arg, p.releaser, p.release_arg) for p in result.pairs} == {
        ("db_open", 1, "db_close", 0), ("open_database", 1, "db_close", 0)}
    assert brief(result) == {("db.c", 39, "use", "resource-leak")}


CTX_MEM_C = """
    #include <stdlib.h>
    #include <string.h>
    struct ctx { int failed; void *stats; };
    void *mem_malloc_raw(struct ctx *c, size_t n) {
        if (c->failed)
            return NULL;
        return malloc(n);
    }
    void *mem_malloc_zero(struct ctx *c, size_t n) {
        void *p = mem_malloc_raw(c, n);
        if (p)
            memset(p, 0, n);
        return p;
    }
    void mem_free(struct ctx *c, void *p) {
        if (p)
            free(p);
    }
    char *mem_str_dup(struct ctx *c, const char *s) {
        char *d = mem_malloc_raw(c, strlen(s) + 1);
        if (d)
            strcpy(d, s);
        return d;
    }
    void *mem_malloc_stats(struct ctx *c) { return c->stats; }
    int use(struct ctx *c, const char *s, int bad) {
        char *d = mem_str_dup(c, s);
        if (d == NULL)
            return -1;
        if (bad)
            return -2;
        mem_free(c, d);
        return 0;
    }
"""


def test_raw_allocators_of_a_context_pair_with_its_free_when_the_bodies_confirm(tmp_path):
    # `mem_malloc_raw` / `mem_free` differ after the verb (raw): raw memory pairs on the stem when the bodies show
    # the allocation and the release; `char *mem_str_dup` returns what mem_malloc_raw returned (raw memory both);
    # `mem_malloc_stats` returns a field
    result = scan_sources(tmp_path, {"mem.c": CTX_MEM_C})
    assert {(p.acquirer, p.releaser, p.release_arg) for p in result.pairs} == {
        ("mem_malloc_raw", "mem_free", 1), ("mem_malloc_zero", "mem_free", 1), ("mem_str_dup", "mem_free", 1)}
    assert brief(result) == {("mem.c", 31, "use", "resource-leak")}
