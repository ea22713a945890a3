"""`for` loops written by macros (`TAILQ_FOREACH_SAFE`, `RB_FOREACH_SAFE`, a `forever` macro): the loop's parts are
found at the invocation, whether the macro lives in a header or in the same file. A list-freeing function whose
loop comes from a macro returns (it is no `noreturn` function), so its callers' paths go on after the call."""
from tests.conftest import brief, scan_sources

QUEUE_H = r"""
#define LIST_FIRST(h) ((h)->first)
#define LIST_NEXT(e) ((e)->next)
#define LIST_FOREACH_SAFE(var, head, tvar) \
    for ((var) = LIST_FIRST(head); (var) && ((tvar) = LIST_NEXT(var), 1); (var) = (tvar))
"""

SOURCE = r"""
#include <stdlib.h>
#include "queue.h"
#define forever for (;;)
#define EACH_SAFE(var, head, tvar) for ((var) = (head)->first; (var) && ((tvar) = (var)->next, 1); (var) = (tvar))
struct item { struct item *next; char *name; };
struct list { struct item *first; };

void list_free(struct list *l) {
    struct item *it, *tmp;
    LIST_FOREACH_SAFE(it, l, tmp) { free(it->name); free(it); }
    free(l);
}

void list_free_local_macro(struct list *l) {
    struct item *it, *tmp;
    EACH_SAFE(it, l, tmp) { free(it->name); free(it); }
    free(l);
}

int user(int n) {
    struct list *l = malloc(sizeof *l);
    char *x = malloc(4);
    if (!l) return 1;
    l->first = NULL;
    if (n) list_free(l); else list_free_local_macro(l);
    return 0;
}

void serve(int fd) {
    char *buf = malloc(16);
    forever { if (fd < 0) break; }
    free(buf);
}
"""


def test_macro_for_loops_end_and_their_functions_return(tmp_path):
    result = scan_sources(tmp_path, {"queue.h": QUEUE_H, "lists.c": SOURCE})
    assert brief(result) == {("lists.c", 23, "user", "resource-leak"), ("lists.c", 26, "user", "resource-leak")}
    assert {f.var for f in result.findings} == {"x"}
