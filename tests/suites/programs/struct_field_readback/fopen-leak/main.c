#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct holder {
    FILE *res;
    int id;
};

int hold(const char *name)
{
    struct holder h;
    FILE *r = fopen(name, "r");
    if (r == NULL)
        return -1;
    h.id = 1;
    h.res = r;
    (void)fgetc(h.res);
    return h.id;  // expect: resource-leak in hold
}

int main(void)
{
    return hold("/dev/null") != 1;
}
