#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void inspect(char *r)
{
    r[0] = 'x';
}

int serve_once(const char *name)
{
    void (*done)(char *) = inspect;
    char *r = strdup(name);
    if (r == NULL)
        return -1;
    r[0] = 'x';
    done(r);
    return 0;  // expect: resource-leak in serve_once
}

int main(void)
{
    return serve_once("/dev/null");
}
