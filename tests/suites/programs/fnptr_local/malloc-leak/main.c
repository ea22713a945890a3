#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void inspect(char *r)
{
    r[0] = '\0';
}

int serve_once(const char *name)
{
    void (*done)(char *) = inspect;
    char *r = malloc(strlen(name) + 1);
    if (r == NULL)
        return -1;
    r[0] = '\0';
    done(r);
    return 0;  // expect: resource-leak in serve_once
}

int main(void)
{
    return serve_once("/dev/null");
}
