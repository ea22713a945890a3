#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *pending = NULL;

static void flush_pending(void)
{
    char *r = pending;
    pending = NULL;
    r[0] = 'x';
}  // expect: resource-leak in flush_pending

int produce(const char *name)
{
    char *r = strdup(name);
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
