#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

union handle {
    char *res;
    void *raw;
};

int swap_out(const char *name)
{
    union handle h;
    h.res = strdup(name);
    if (h.res == NULL)
        return -1;
    h.res[0] = 'x';
    return 0;  // expect: resource-leak in swap_out
}

int main(void)
{
    return swap_out("/dev/null");
}
