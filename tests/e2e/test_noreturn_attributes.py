"""Declaration attributes read from their own tokens: C11 `_Noreturn` and `[[noreturn]]` (also through a macro)
end the path, and an attribute spelled in a macro is read up to its end only (clang's intrinsics headers)."""
from __future__ import annotations

from tests.conftest import brief

C11 = """
#include <stdlib.h>
_Noreturn void die(const char *msg);
int parse(int n) {
    char *p = malloc(n);
    if (!p)
        return -1;
    if (n > 10) {
        die("too big");
        return 1;
    }
    if (n > 5)
        return 2;
    free(p);
    return 0;
}
"""

CXX = """
#include <cstdlib>
#define NORETURN [[noreturn]]
NORETURN void fail(const char *msg);
[[gnu::noreturn]] void fail2(const char *msg);
int parse(int n) {
    char *p = static_cast<char *>(std::malloc(n));
    if (!p)
        return -1;
    if (n > 10) {
        fail("too big");
        return 1;
    }
    if (n > 8) {
        fail2("big");
        return 3;
    }
    if (n > 5)
        return 2;
    std::free(p);
    return 0;
}
"""


def test_c11_noreturn_ends_the_path(scan):
    # decoy: the `return 1` after die() is never reached; the `return 2` leaks
    assert brief(scan(C11)) == {("snippet.c", 12, "parse", "resource-leak")}


def test_cxx_noreturn_attributes_end_the_path(scan):
    assert brief(scan(CXX, name="snippet.cpp")) == {("snippet.cpp", 18, "parse", "resource-leak")}
