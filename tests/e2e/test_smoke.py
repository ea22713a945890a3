"""End-to-end smoke: the leak of an early error return, and its decoy."""
from tests.conftest import brief


def test_early_return_leak_and_decoy(scan):
    result = scan("""
        #include <stdlib.h>
        int leaky(int n) {
            char *p = malloc(n);
            if (p == NULL)
                return -1;
            if (n > 10)
                return -2;
            free(p);
            return 0;
        }
        int fine(int n) {
            char *p = malloc(n);
            if (!p) return -1;
            if (n > 10) { free(p); return -2; }
            free(p);
            return 0;
        }
    """)
    assert brief(result) == {("snippet.c", 7, "leaky", "resource-leak")}
