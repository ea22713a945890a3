#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *finish(char *r)
{
    free(r);
    return r;
}

static char *check(char *r)
{
    r[0] = 'x';
    return r;
}

int cycle(const char *name)
{
    char *r = strdup(name);
    if (r == NULL)
        return -1;
    r = check(r);
    return 0;  // expect: resource-leak in cycle
}

int main(void)
{
    return cycle("/dev/null");
}
