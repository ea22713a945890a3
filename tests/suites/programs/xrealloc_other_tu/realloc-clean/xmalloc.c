#include <stdio.h>
#include <stdlib.h>
#include "xmalloc.h"

void fatalx(const char *msg)
{
    fprintf(stderr, "fatal: %s\n", msg);
    exit(1);
}

void *xrealloc(void *ptr, size_t size)
{
    void *out;
    if (size == 0)
        fatalx("zero size");
    out = realloc(ptr, size);
    if (out == NULL)
        fatalx("out of memory");
    return out;
}
