# ruff: noqa: E501  (C sources one function per line)
"""Idioms of real projects that must not cost precision: branch hints (`unlikely(!p)` expands to
`__builtin_expect`), an `extern` declaration inside a body (it names the global), and `syscall(SYS_close, fd)` as
the release of fd (libuv's uv__close)."""
from tests.conftest import brief, scan_sources

HINTS = r"""
#include <stdlib.h>
#include <assert.h>
#define unlikely(x) __builtin_expect(!!(x), 0)
#define my_assert(x) do { if (unlikely(!(x))) abort(); } while (0)
struct s { char *buf; };
void reset(struct s *o) { my_assert(o->buf == NULL); o->buf = malloc(3); }
int f(int n) { char *p = malloc(3); if (unlikely(p == NULL)) return -1; if (n) { free(p); return 1; } free(p); return 0; }
int g(int n) { char *p = malloc(3); if (__builtin_expect(p == NULL, 0)) return -1; return n; }
"""

EXTERN = r"""
#include <stdlib.h>
#include <string.h>
void copyenv(void) { extern char **environ; char **n = malloc(8 * sizeof *n); if (!n) return; n[0] = strdup("a"); environ = n; }
"""

SYSCALL = r"""
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>
static int my_close(int fd) { return syscall(SYS_close, fd); }
int f(const char *p) { int fd = open(p, O_RDONLY); if (fd < 0) return -1; my_close(fd); return 0; }
int g(const char *p) { int fd = open(p, O_RDONLY); if (fd < 0) return -1; syscall(SYS_getpid, fd); return 0; }
"""


def test_branch_hints_are_their_condition(tmp_path):
    assert brief(scan_sources(tmp_path, {"hints.c": HINTS})) == {("hints.c", 8, "g", "resource-leak")}


def test_an_extern_declaration_in_a_body_is_the_global(tmp_path):
    assert brief(scan_sources(tmp_path, {"env.c": EXTERN})) == set()


def test_syscall_close_releases_its_descriptor(tmp_path):
    assert brief(scan_sources(tmp_path, {"sys.c": SYSCALL})) == {("sys.c", 6, "g", "resource-leak")}


XASPRINTF = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
void fatalx(const char *, ...) __attribute__((noreturn));
int xvasprintf(char **ret, const char *fmt, va_list ap) { int i = vasprintf(ret, fmt, ap); if (i == -1) fatalx("x"); return i; }
int xasprintf(char **ret, const char *fmt, ...) { va_list ap; int i; va_start(ap, fmt); i = xvasprintf(ret, fmt, ap); va_end(ap); return i; }
char *refill(const char *marker) {
    char *value = strdup("v");
    free(value);
    xasprintf(&value, "%s%s", marker, "x");
    free(value);
    return NULL;
}
char *leak(const char *marker) { char *v; xasprintf(&v, "%s", marker); return NULL; }
"""


def test_out_parameter_passed_on_to_an_acquirer_makes_an_out_acquirer(tmp_path):
    """`xasprintf(&v, ...)` -> `vasprintf(ret, ...)` with `char **ret` its parameter: v receives a new block (no
    double release after `free(v); xasprintf(&v, ...); free(v);`), and a lost one leaks."""
    assert brief(scan_sources(tmp_path, {"xa.c": XASPRINTF})) == {("xa.c", 16, "leak", "resource-leak")}
