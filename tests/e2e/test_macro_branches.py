"""`if (c) MACRO(..); else MACRO(..);` where both branches are macro expansions (`TAILQ_INSERT_TAIL` in tmux's
mode_tree_add): the `else` between them must be found although the children carry macro-expansion locations, or
the then-branch is lowered as the condition and its body disappears. Here the lost body was the insertion that
hands the fresh node to the parent's list, so every caller of the constructor got a false leak."""
from tests.conftest import brief, scan_sources

SOURCE = r"""
#include <stdlib.h>
#include <sys/queue.h>
struct item { int tag; TAILQ_ENTRY(item) entry; TAILQ_HEAD(, item) children; };
struct tree { TAILQ_HEAD(, item) children; };
struct item *tree_add(struct tree *t, struct item *parent, int tag) {
    struct item *it = calloc(1, sizeof *it);
    if (it == NULL) abort();
    it->tag = tag;
    TAILQ_INIT(&it->children);
    if (parent != NULL)
        TAILQ_INSERT_TAIL(&parent->children, it, entry);
    else
        TAILQ_INSERT_TAIL(&t->children, it, entry);
    return it;
}
void build(struct tree *t) { struct item *a = tree_add(t, NULL, 1); tree_add(t, a, 2); }
#define KEEP(p) do { kept = (p); } while (0)
#define DROP(p) do { free(p); } while (0)
static char *kept;
void keep_or_drop(int keep) { char *s = malloc(4); if (keep) KEEP(s); else DROP(s); }
void keep_or_nothing(int keep) { char *s = malloc(4); if (keep) KEEP(s); else (void)0; }
"""


def test_else_between_macro_expanded_branches(tmp_path):
    found = brief(scan_sources(tmp_path, {"m.c": SOURCE}))
    assert found == {("m.c", 21, "keep_or_nothing", "resource-leak")}
