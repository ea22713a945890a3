#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *pending = NULL;

static void flush_pending(void)
{
    FILE *r = pending;
    pending = NULL;
    (void)fgetc(r);
}  // expect: resource-leak in flush_pending

int produce(const char *name)
{
    FILE *r = fopen(name, "r");
    if (r == NULL)
        return -1;
    pending = r;
    flush_pending();
    return 0;
}

int main(void)
{
    return produce("/dev/null");
}
