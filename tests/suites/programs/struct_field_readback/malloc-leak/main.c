#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct holder {
    char *res;
    int id;
};

int hold(const char *name)
{
    struct holder h;
    char *r = malloc(strlen(name) + 1);
    if (r == NULL)
        return -1;
    h.id = 1;
    h.res = r;
    h.res[0] = '\0';
    return h.id;  // expect: resource-leak in hold
}

int main(void)
{
    return hold("/dev/null") != 1;
}
