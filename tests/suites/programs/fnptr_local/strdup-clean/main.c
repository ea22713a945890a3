#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void drop(char *r)
{
    free(r);
}

int serve_once(const char *name)
{
    void (*done)(char *) = drop;
    char *r = strdup(name);
    if (r == NULL)
        return -1;
    r[0] = 'x';
    done(r);
    return 0;
}

int main(void)
{
    return serve_once("/dev/null");
}
