#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "res.h"

int run(const char *name)
{
    FILE *r = make_res(name);
    if (r == NULL)
        return -1;
    consume_res(r);
    return 0;
}

int main(void)
{
    return run("/dev/null");
}
