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
int array_set(int idx, char **cause) { if (idx < 0) { xasprintf(cause, "bad %d", idx); return -1; } return 0; }
int remove_or_default(int idx, char **cause) { if (idx == -1) return 0; else if (array_set(idx, cause) != 0) return -1; return 0; }
int set_option(int idx) {
    char *cause;
    if (remove_or_default(idx, &cause) != 0) { puts(cause); free(cause); return -1; }
    return 0;
}
"""


def test_out_parameter_passed_on_to_an_acquirer_makes_an_out_acquirer(tmp_path):
    """`xasprintf(&v, ...)` -> `vasprintf(ret, ...)` with `char **ret` its parameter: v receives a new block (no
    double release after `free(v); xasprintf(&v, ...); free(v);`), and a lost one leaks. An error string passed on
    to a callee that sets it only on failure stays set only on failure (`set_option` frees it where it exists)."""
    assert brief(scan_sources(tmp_path, {"xa.c": XASPRINTF})) == {("xa.c", 16, "leak", "resource-leak")}


OUT_NULL_CHECK = r"""
#include <stdlib.h>
typedef struct map { int n; } map;
int map_new(map **out) {
    *out = calloc(1, sizeof(map));
    if (*out == NULL) return -1;
    return 0;
}
int map_user(void) {
    map *m;
    if (map_new(&m) < 0) return -1;
    free(m);
    return 0;
}
int map_leak(void) {
    map *m;
    if (map_new(&m) < 0) return -1;
    return 0;
}
"""


def test_an_out_parameter_found_null_was_not_set(tmp_path):
    """`*out = calloc(..); if (*out == NULL) return -1;` (libgit2's GIT_ERROR_CHECK_ALLOC): on -1 the caller got
    nothing, so `if (map_new(&m) < 0) return -1;` leaks nothing; forgetting m on success still leaks."""
    assert brief(scan_sources(tmp_path, {"map.c": OUT_NULL_CHECK})) == {("map.c", 17, "map_leak", "resource-leak")}


TESTED_COPY = r"""
#include <stdlib.h>
int sort(const unsigned char *T, int *A, int n) {
    int *B;
    if ((B = A) == NULL) { B = (int *)malloc((size_t)(n + 1) * sizeof(int)); }
    if (B != NULL) { B[0] = T[0]; }
    if (A == NULL) { free(B); }
    return 0;
}
int sort_leak(const unsigned char *T, int *A, int n) {
    int *B;
    if ((B = A) == NULL) { B = (int *)malloc((size_t)(n + 1) * sizeof(int)); }
    if (B != NULL) { B[0] = T[0]; }
    return 0;
}
"""


def test_a_tested_copy_constrains_its_source(tmp_path):
    """`if ((B = A) == NULL) B = malloc(..); ... if (A == NULL) free(B);` (zstd divsufsort): the test of the copy
    is a test of A, so the free covers every path that allocated."""
    assert brief(scan_sources(tmp_path, {"sort.c": TESTED_COPY})) == {("sort.c", 13, "sort_leak", "resource-leak")}


SWITCHES = r"""
#include <stdlib.h>
#include <string.h>
int twice(int kind) { char *p = NULL; switch (kind) { case 1: p = malloc(4); break; case 2: break; default: return -1; } switch (kind) { case 1: free(p); break; default: break; } return 0; }
int early(int kind) { char *p = malloc(3); switch (kind) { case 1: return -1; default: break; } free(p); return 0; }
struct cfg { char *save; char *aof; };
void fields(struct cfg *c, const char **v) { for (int i = 0; i < 2; i++) { switch (i) { case 0: c->save = strdup(v[i]); break; case 1: c->aof = strdup(v[i]); break; } } }
int none(int kind) { char *p = malloc(2); switch (kind) { case 1: free(p); return 0; case 2: free(p); return 1; } return 2; }
"""


def test_a_switch_case_assumes_its_value(tmp_path):
    """Each case edge assumes the tested value equals its constant, the default that it equals none of them: two
    switches on one value take matching cases, and a loop counter selects one case per iteration."""
    found = brief(scan_sources(tmp_path, {"sw.c": SWITCHES}))
    assert found == {("sw.c", 4, "early", "resource-leak"), ("sw.c", 7, "none", "resource-leak")}


STATUS_IN_A_VARIABLE = r"""
#include <stdlib.h>
#include <string.h>
char *read_line(const char *p);
int check_clock(char **error_msg) {
    char *curr = read_line("/sys/clock");
    int res = 1;
    if (curr == NULL) {
        res = 0;
    } else if (strcmp(curr, "xen") == 0) {
        *error_msg = strdup("slow clock");
        res = -1;
    }
    free(curr);
    return res;
}
int warn_if_slow(void) { char *err = NULL; if (check_clock(&err) < 0) { free(err); return 1; } return 0; }
int wrong_test(void) { char *err = NULL; if (check_clock(&err) == 0) { free(err); } return 0; }
"""


def test_an_error_string_set_only_with_a_status_kept_in_a_variable(tmp_path):
    """`res = -1; ... return res;`: the value each return gives back is known, so the summary knows the error
    string is set only when the result is negative; the caller that frees it on `< 0` is quiet, the one that
    tests the wrong value leaks it."""
    found = brief(scan_sources(tmp_path, {"s.c": STATUS_IN_A_VARIABLE}))
    assert found == {("s.c", 17, "wrong_test", "resource-leak")}


PASSED_ON_STATUS = r"""
#define _GNU_SOURCE
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
int flag_from(const char *v, char **cause) { if (strcmp(v, "on") == 0) return 1; if (strcmp(v, "off") == 0) return 0; asprintf(cause, "bad value: %s", v); return -1; }
int from_string(int type, const char *v, char **cause) {
    if (v == NULL) { asprintf(cause, "empty value"); return -1; }
    if (type == 1) return flag_from(v, cause);
    return 0;
}
int set_option(int type, const char *v) { char *cause; int error = from_string(type, v, &cause); if (error != 0 && error != 1) { free(cause); return -1; } return 0; }
int set_option_bad(int type, const char *v) { char *cause; int error = from_string(type, v, &cause); if (error != 0) { return -1; } return 0; }
"""


def test_an_error_string_set_by_the_callee_whose_result_is_returned(tmp_path):
    """`return flag_from(v, cause);`: the out-parameter is set on the callee's results that set it (-1 here, not
    1 or 0), so the wrapper's summary knows it per result too."""
    found = brief(scan_sources(tmp_path, {"p.c": PASSED_ON_STATUS}))
    assert found == {("p.c", 12, "set_option_bad", "resource-leak")}


COUNTED_GROWTH = r"""
#include <stdlib.h>
int *collect(const int *v, int n) {
    int *list = NULL; int size = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] < 0) continue;
        list = realloc(list, (size + 1) * sizeof *list);
        if (list == NULL) abort();
        list[size++] = v[i];
    }
    if (size == 0) return NULL;
    if (size == 1) { int *one = malloc(sizeof *one); if (!one) abort(); one[0] = list[0]; free(list); return one; }
    return list;
}
int *collect_bad(const int *v, int n) {
    int *list = NULL; int size = 0;
    for (int i = 0; i < n; i++) {
        list = realloc(list, (size + 1) * sizeof *list);
        if (list == NULL) abort();
        list[size++] = v[i];
    }
    if (size < 3) return NULL;
    return list;
}
"""


def test_a_counter_stepped_after_each_growth_stays_positive_through_the_loop(tmp_path):
    """`list = realloc(list, ..); list[size++] = x;` in a loop: whenever list was allocated, size >= 1, also
    after the loop's states are widened, so the `size == 0` exit holds nothing; `size < 3` still leaks it."""
    found = brief(scan_sources(tmp_path, {"g.c": COUNTED_GROWTH}))
    assert found == {("g.c", 21, "collect_bad", "resource-leak")}


NULL_MEANS_FAILED = r"""
#define _GNU_SOURCE
#include <stdlib.h>
#include <stdio.h>
struct winlink { int idx; };
static struct winlink links[4];
struct winlink *session_attach(int idx, char **cause) {
    if (idx < 0 || idx >= 4) { asprintf(cause, "index in use: %d", idx); return NULL; }
    return &links[idx];
}
int link_window(int idx, int grouped, char **cause) {
    if (grouped) { asprintf(cause, "sessions are grouped"); return -1; }
    struct winlink *wl = session_attach(idx, cause);
    if (wl == NULL) return -1;
    return 0;
}
int move_window(int idx) { char *cause = NULL; if (link_window(idx, 0, &cause) != 0) { fprintf(stderr, "%s\n", cause); free(cause); return -1; } return 0; }
int move_window_bad(int idx) { char *cause = NULL; if (link_window(idx, 0, &cause) != 0) { return -1; } return 0; }
"""


def test_an_error_string_set_by_a_callee_that_returns_null_on_failure(tmp_path):
    """`session_attach()` sets the error string only when it returns NULL: a wrapper that passes its own
    parameter on and returns -1 on that NULL sets it only with -1 (tmux server_link_window)."""
    found = brief(scan_sources(tmp_path, {"n.c": NULL_MEANS_FAILED}))
    assert found == {("n.c", 17, "move_window_bad", "resource-leak")}


BIT_TESTS = r"""
#include <stdlib.h>
#include <string.h>
#define OWN 4
#define QUIET 2
struct obj { char *s; int flags; };
int use(const char *s);
void touch(struct obj *o);
int per_flag(int flags, char **names, char **given, int n) { int count = 0; for (int i = 0; i < n; i++) { char *s; if (flags & OWN) s = strdup(names[i]); else s = given[i]; if (flags & QUIET) count++; if (use(s)) { if (flags & OWN) free(s); continue; } if ((flags & OWN) != 0) free(s); } return count; }
int skips_release(int flags, char **names, char **given, int n) { int count = 0; for (int i = 0; i < n; i++) { char *s; if (flags & OWN) s = strdup(names[i]); else s = given[i]; if (flags & QUIET) continue; count += use(s); if (flags & OWN) free(s); } return count; }
void flag_changed(int flags, const char *name) { char *s = NULL; if (flags & OWN) s = strdup(name); flags = 0; use(s); if (flags & OWN) free(s); }
void field_bits(struct obj *o, const char *name) { char *s = NULL; if (o->flags & OWN) s = strdup(name); use(s); if (o->flags & OWN) free(s); }
void field_written(struct obj *o, const char *name) { char *s = NULL; if (o->flags & OWN) s = strdup(name); touch(o); if (o->flags & OWN) free(s); }
char *inverted(int mods, const char *name) { char *s = NULL; if (~mods & OWN) return NULL; s = strdup(name); use(s); if ((mods & OWN) == 0) return NULL; free(s); return NULL; }
char *inverted_leak(int mods, const char *name) { char *s = strdup(name); if (~mods & OWN) return NULL; use(s); free(s); return NULL; }
"""


def test_the_same_bit_tested_twice_takes_the_same_branch(tmp_path):
    """`if (flags & MASK)` is a fact about flags: tested again, unchanged, it takes the same branch (redis
    RM_HashSet's CFIELDS); a bit test after `flags = 0`, or after a call that may write the field, is a new
    unknown, and a path that skips the release on another bit still leaks."""
    found = brief(scan_sources(tmp_path, {"bits.c": BIT_TESTS}))
    assert found == {("bits.c", 9, "skips_release", "resource-leak"), ("bits.c", 10, "flag_changed", "resource-leak"),
                     ("bits.c", 12, "field_written", "resource-leak"), ("bits.c", 14, "inverted_leak", "resource-leak")}


PARAMETER_THROUGH_LOOPS = r"""
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ctype.h>
#include <fnmatch.h>
#include <regex.h>
char *row(unsigned i);
unsigned rows(void);
unsigned search(const char *term, int regex, int ignore) {
    regex_t r; char *pat = NULL, *line; unsigned i; int flags = 0, found; size_t n;
    if (!regex) { if (ignore) flags |= FNM_CASEFOLD; if (asprintf(&pat, "*%s*", term) < 0) return 0; }
    else { if (ignore) flags |= REG_ICASE; if (regcomp(&r, term, flags | REG_EXTENDED) != 0) return 0; }
    for (i = 0; i < rows(); i++) {
        line = row(i);
        for (n = strlen(line); n > 0; n--) { if (!isspace((unsigned char)line[n - 1])) break; line[n - 1] = '\0'; }
        if (!regex) found = (fnmatch(pat, line, flags) == 0); else found = (regexec(&r, line, 0, NULL, 0) == 0);
        free(line);
        if (found) break;
    }
    if (!regex) free(pat); else regfree(&r);
    return i == rows() ? 0 : i + 1;
}
unsigned search_leak(const char *term, int regex, int ignore) {
    char *pat = NULL, *line; unsigned i; int found = 0; size_t n;
    if (!regex) { if (asprintf(&pat, "*%s*", term) < 0) return 0; }
    for (i = 0; i < rows(); i++) {
        line = row(i);
        for (n = strlen(line); n > 0; n--) { if (!isspace((unsigned char)line[n - 1])) break; line[n - 1] = '\0'; }
        if (!regex) found = (fnmatch(pat, line, ignore) == 0);
        free(line);
        if (found) break;
    }
    if (!ignore) free(pat);
    return i + 1;
}
"""


def test_a_parameter_tested_before_and_after_loops_keeps_its_value(tmp_path):
    """Loops multiply states until value facts are forgotten; facts about a parameter the function never assigns
    are kept then (they only narrow at a test): `if (!regex) asprintf(&pat, ..) ... loops ... if (!regex)
    free(pat)` is balanced (tmux window_pane_search), the same shape released under another parameter is not."""
    found = brief(scan_sources(tmp_path, {"search.c": PARAMETER_THROUGH_LOOPS}))
    assert found == {("search.c", 35, "search_leak", "resource-leak")}


FLAG_PRELUDE = r"""
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
struct Cookie { struct Cookie *next; char *domain; };
struct CookieInfo { struct Cookie *cookies[63]; unsigned numcookies; };
int my_fopen(const char *fn, FILE **out, char **temp) { *temp = NULL; *out = fopen(fn, "w"); return *out ? 0 : 1; }
char *fmt(struct Cookie *co);
"""

COOKIE_OUTPUT = r"""
int NAME(struct CookieInfo *c, const char *filename) {
  struct Cookie *co; FILE *out = NULL; bool use_stdout = false; char *tempstore = NULL; int error = 0;
  if(!c) return 0;
  if(!strcmp("-", filename)) { out = stdout; use_stdout = true; }
  else { error = my_fopen(filename, &out, &tempstore); if(error) goto error; }
  fputs("# Netscape HTTP Cookie File\n", out);
  if(c->numcookies) {
    unsigned int i; size_t nvalid = 0; struct Cookie **array;
    array = calloc(1, sizeof(struct Cookie *) * c->numcookies);
    if(!array) { error = 3; goto error; }
    for(i = 0; i < 63; i++) { for(co = c->cookies[i]; co; co = co->next) { if(!co->domain) continue; array[nvalid++] = co; } }
    for(i = 0; i < nvalid; i++) {
      char *format_ptr = fmt(array[i]);
      if(!format_ptr) { free(array); error = 3; goto error; }
      fprintf(out, "%s\n", format_ptr); free(format_ptr);
    }
    free(array);
  }
  if(CLOSE_IF) { fclose(out); out = NULL; }
  free(tempstore);
  return 0;
error:
  if(out && !use_stdout) fclose(out);
  free(tempstore);
  return error;
}
"""

FLAG_THROUGH_LOOPS = FLAG_PRELUDE + COOKIE_OUTPUT.replace("NAME", "cookie_output").replace("CLOSE_IF", "!use_stdout") + \
    COOKIE_OUTPUT.replace("NAME", "cookie_output_leak").replace("CLOSE_IF", "!use_stdout && c->numcookies > 3")


def test_a_flag_set_before_loops_keeps_its_value_after_them(tmp_path):
    """`use_stdout` is set on the branch that does not open the file; loops in between make many states (counters
    step), and joining them forgets what the loops change, not the flag: `if (!use_stdout) fclose(out)` covers
    every opened path (curl cookie_output). The same shape closing under another condition still leaks."""
    found = brief(scan_sources(tmp_path, {"cookie.c": FLAG_THROUGH_LOOPS}))
    lines = FLAG_THROUGH_LOOPS.split("\n")
    start = next(i for i, text in enumerate(lines) if text.startswith("int cookie_output_leak("))
    returned = next(i for i in range(start, len(lines)) if lines[i].strip() == "return 0;")
    assert found == {("cookie.c", returned, "cookie_output_leak", "resource-leak")}


ERROR_WITH_OTHER_RESULTS = r"""
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
int step(void);
int passthrough(int type);
int load(int type, char **err) {
    char *error = NULL;
    int res = -1;
    if (type == 1) {
        if (!step()) { error = strdup("bad step"); goto done; }
    } else if (type == 2) {
        return passthrough(type);
    }
    res = 0;
done:
    if (error) *err = error;
    return res;
}
int checked(int type) { char *err = NULL; if (load(type, &err) != 0) { if (err) { puts(err); free(err); } return -1; } return 0; }
int unchecked(int type) { char *err = NULL; if (load(type, &err) == 0) return 0; return -1; }
"""


def test_an_error_string_set_on_failure_when_other_results_are_not_known(tmp_path):
    """`load` writes *err only on its `-1` return; another return passes on a value not known (and writes
    nothing): the success branch of `load(..) != 0` still holds no string, and ignoring the failure leaks it."""
    found = brief(scan_sources(tmp_path, {"load.c": ERROR_WITH_OTHER_RESULTS}))
    assert found == {("load.c", 20, "unchecked", "resource-leak")}


COUNTED_COPY = r"""
#include <stdlib.h>
struct addr { char *sockaddr; };
struct ctx { unsigned naddrs; struct addr *addrs; };
struct sctx { int naddrs; struct addr *addrs; };
int copy_addrs(struct ctx *cctx) {
    char *sockaddr; unsigned i;
    if (cctx->naddrs) {
        sockaddr = malloc(cctx->naddrs * 16);
        if (sockaddr == NULL) return -1;
        struct addr *addrs = calloc(cctx->naddrs, sizeof *addrs);
        if (addrs == NULL) { free(sockaddr); return -1; }
        for (i = 0; i < cctx->naddrs; i++) addrs[i].sockaddr = &sockaddr[i * 16];
        cctx->addrs = addrs;
    }
    return 0;
}
int copy_signed(struct sctx *cctx) {
    char *sockaddr; int i;
    if (cctx->naddrs) {
        sockaddr = malloc(16);
        if (sockaddr == NULL) return -1;
        struct addr *addrs = calloc(4, sizeof *addrs);
        if (addrs == NULL) { free(sockaddr); return -1; }
        for (i = 0; i < cctx->naddrs; i++) addrs[i & 3].sockaddr = &sockaddr[i & 15];
        cctx->addrs = addrs;
    }
    return 0;
}
"""


def test_an_unsigned_count_tested_non_zero_runs_its_loop(tmp_path):
    """`if (n) { p = malloc(..); for (i = 0; i < n; i++) a[i].p = &p[i * 16]; }` with n unsigned runs the loop at
    least once, and an element's address stored hands the block over (nginx's resolver); with a signed n the loop
    may run zero times and the block is lost."""
    found = brief(scan_sources(tmp_path, {"copy.c": COUNTED_COPY}))
    assert found == {("copy.c", 27, "copy_signed", "resource-leak")}


POINTED_AT_A_BUFFER = r"""
#include <stdlib.h>
#include <string.h>
struct req { char *svc; char *host; };
int conv(const char *in, char *out);
int lookup(struct req *req, const char *host, const char *svc) {
    char ascii[256]; size_t hl, sl; char *buf;
    if (host == NULL && svc == NULL) return -1;
    if (host != NULL) { if (conv(host, ascii) < 0) return -2; host = ascii; }
    hl = host ? strlen(host) + 1 : 0;
    sl = svc ? strlen(svc) + 1 : 0;
    buf = malloc(hl + sl);
    if (!buf) return -3;
    if (svc) req->svc = memcpy(buf, svc, sl);
    if (host) req->host = memcpy(buf + sl, host, hl);
    return 0;
}
int lookup_unchecked(struct req *req, const char *host, const char *svc) {
    char ascii[256]; size_t hl, sl; char *buf;
    if (host != NULL) { if (conv(host, ascii) < 0) return -2; host = ascii; }
    hl = host ? strlen(host) + 1 : 0;
    sl = svc ? strlen(svc) + 1 : 0;
    buf = malloc(hl + sl + 1);
    if (!buf) return -3;
    if (svc) req->svc = memcpy(buf, svc, sl);
    if (host) req->host = memcpy(buf + sl, host, hl);
    return 0;
}
"""


def test_a_pointer_set_to_a_local_array_is_not_null(tmp_path):
    """`host = ascii` (a local array) keeps host non-NULL, so one of the two stores runs after `host == NULL &&
    svc == NULL` returned (libuv's uv_getaddrinfo); without that check both may be NULL and the block is lost."""
    found = brief(scan_sources(tmp_path, {"req.c": POINTED_AT_A_BUFFER}))
    assert found == {("req.c", 26, "lookup_unchecked", "resource-leak")}


STANDARD_STREAMS = r"""
#include <fcntl.h>
#include <unistd.h>
void daemonize(void) { int fd; if ((fd = open("/dev/null", O_RDWR, 0)) != -1) { dup2(fd, STDIN_FILENO); dup2(fd, STDOUT_FILENO); dup2(fd, STDERR_FILENO); if (fd > STDERR_FILENO) close(fd); } }
int tty(void) { int fd = open("/dev/tty", O_RDONLY); if (fd < 0) return -1; if (fd != 0) { close(fd); return 1; } return 0; }
void leak_fd(const char *p) { int fd = open(p, O_RDONLY); if (fd < 0) return; if (fd > 10) close(fd); }
"""


def test_a_descriptor_bounded_to_the_standard_streams_stays_open_on_purpose(tmp_path):
    """`if (fd > STDERR_FILENO) close(fd);` after dup2-ing it onto 0-2 (daemonize), or keeping a tty opened as fd 0:
    a valid descriptor at most 2 is a standard stream the process had closed, left open on purpose; a bound above
    2 still leaks the others."""
    found = brief(scan_sources(tmp_path, {"dz.c": STANDARD_STREAMS}))
    assert found == {("dz.c", 5, "leak_fd", "resource-leak")}


STUBS = r"""
#include <stdlib.h>
#include <sys/socket.h>
#define UNUSED(V) ((void) V)
typedef struct conn { int fd; } conn;
conn *conn_plain(int fd) { conn *c = malloc(sizeof *c); if (!c) return NULL; c->fd = fd; return c; }
conn *conn_tls(int fd, int auth) { UNUSED(fd); UNUSED(auth); return NULL; }
void trace(char *p) { }
int noted;
int note(char *p) { noted += p != NULL; return 0; }
int is_valid(int fd) { return fd > 2; }
void serve(conn *c);
void accept_one(int lfd, int tls) { int cfd = accept(lfd, 0, 0); if (cfd < 0) return; conn *c = tls ? conn_tls(cfd, 1) : conn_plain(cfd); if (!c) return; serve(c); }
void traced(void) { char *p = malloc(4); trace(p); }
void noting(void) { char *p = malloc(4); note(p); }
void check_one(int lfd) { int cfd = accept(lfd, 0, 0); if (cfd < 0) return; if (!is_valid(cfd)) return; serve(0); }
"""


def test_a_stub_that_never_reads_its_parameter_takes_it(tmp_path):
    """`connCreateAcceptedTLS(fd)` built without TLS is `UNUSED(fd); return NULL;`: the configuration that has the
    body takes the descriptor, so passing it ends the caller's ownership; a function that reads its parameter
    (`is_valid(fd)`, `note(p)`) still only borrows it, and so does a `void` function whose body seems empty."""
    found = brief(scan_sources(tmp_path, {"stub.c": STUBS}))
    assert found == {("stub.c", 13, "traced", "resource-leak"), ("stub.c", 14, "noting", "resource-leak"),
                     ("stub.c", 15, "check_one", "resource-leak")}


POINTER_CALLS = r"""
#include <stdlib.h>
#include <string.h>
#define MODULE_CONFIG (1ULL<<7)
struct mod { char *(*get)(struct mod *); };
typedef struct cfg { unsigned long long flags; char **slot; struct mod *priv; } cfg;
char *get_module(struct mod *m) { char *v = m->get(m); if (!v) return NULL; return strdup(v); }
char *cfg_get(cfg *c) { char *val = c->flags & MODULE_CONFIG ? get_module(c->priv) : *c->slot; if (val) { if (c->flags & MODULE_CONFIG) return val; return strdup(val); } return strdup(""); }
void cfg_leak(cfg *c) { char *val = c->flags & MODULE_CONFIG ? get_module(c->priv) : *c->slot; if (val && (c->flags & 4)) free(val); }
int seen;
struct log { void (*emit)(struct log *, const char *); };
void logmsg(struct log *l, const char *m) { l->emit(l, m); }
void logged(cfg *c, struct log *l) { char *v = 0; if (c->flags & 2) v = malloc(4); logmsg(l, "x"); if (c->flags & 2) free(v); }
void global_flag(struct log *l) { char *v = 0; if (seen) v = malloc(4); logmsg(l, "x"); if (seen) free(v); }
"""


def test_a_call_through_a_pointer_keeps_facts_about_what_it_is_not_given(tmp_path):
    """`get_module(c->priv)` reaches a callback: it may write what c->priv points to and any global, not c's own
    flags, so the second test of `c->flags & MODULE_CONFIG` takes the first one's branch (redis sdsConfigGet), as it
    does after a logging callback; a global tested around it may change (a leak reported), and a different bit
    still leaks."""
    found = brief(scan_sources(tmp_path, {"cb.c": POINTER_CALLS}))
    assert found == {("cb.c", 8, "cfg_leak", "resource-leak"), ("cb.c", 13, "global_flag", "resource-leak")}


DUPS = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
static int my_close(int fd) { return close(fd); }
int dup2_cloexec(int oldfd, int newfd) { int r = dup3(oldfd, newfd, O_CLOEXEC); if (r == -1) return -errno; return r; }
int reopen(int fd, const char *path) { int newfd = open(path, O_RDWR); if (newfd < 0) return -1; int r = dup2_cloexec(newfd, fd); if (r < 0) { my_close(newfd); return r; } my_close(newfd); return 0; }
int keep(const char *path) { int r = dup2(3, 0); if (r < 0) return -1; return 0; }
int leak(void) { int fd = dup(0); if (fd < 0) return -1; return 0; }
"""


def test_dup2_and_dup3_return_the_callers_descriptor(tmp_path):
    """dup2/dup3 return the number the caller chose (libuv's uv__dup2_cloexec onto a tty's fd), not a new descriptor:
    neither they nor a wrapper returning their result acquire; dup() does."""
    found = brief(scan_sources(tmp_path, {"dups.c": DUPS}))
    assert found == {("dups.c", 9, "leak", "resource-leak")}
