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
    r[0] = '\0';
    return r;
}

int cycle(const char *name)
{
    char *r = malloc(strlen(name) + 1);
    if (r == NULL)
        return -1;
    r = check(r);
    r = finish(r);
    return 0;
}

int main(void)
{
    return cycle("/dev/null");
}
