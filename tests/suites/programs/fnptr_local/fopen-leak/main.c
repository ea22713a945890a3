#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void inspect(FILE *r)
{
    (void)fgetc(r);
}

int serve_once(const char *name)
{
    void (*done)(FILE *) = inspect;
    FILE *r = fopen(name, "r");
    if (r == NULL)
        return -1;
    (void)fgetc(r);
    done(r);
    return 0;  // expect: resource-leak in serve_once
}

int main(void)
{
    return serve_once("/dev/null");
}
