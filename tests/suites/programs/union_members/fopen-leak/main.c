#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

union handle {
    FILE *res;
    void *raw;
};

int swap_out(const char *name)
{
    union handle h;
    h.res = fopen(name, "r");
    if (h.res == NULL)
        return -1;
    (void)fgetc(h.res);
    return 0;  // expect: resource-leak in swap_out
}

int main(void)
{
    return swap_out("/dev/null");
}
