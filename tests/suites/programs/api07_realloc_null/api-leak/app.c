#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem.h"

int stage_buffer(const char *name)
{
    char *p = my_realloc(NULL, 64);
    if (p == NULL)
        return -1;
    strncpy(p, name, 63);
    p[63] = '\0';
    if (p[0] != '/') {
        return -2;  // expect: resource-leak in stage_buffer
    }
    puts(p);
    my_realloc(p, 0);
    return 0;
}

int grow_twice(void)
{
    char *p = my_realloc(NULL, 16);
    char *q;
    if (p == NULL)
        return -1;
    q = my_realloc(p, 128);
    if (q == NULL) {
        my_realloc(p, 0);
        return -1;
    }
    p = q;
    p[0] = '\0';
    my_realloc(p, 0);
    return 0;
}

int main(void)
{
    return stage_buffer("relative") + grow_twice() != -2;
}
