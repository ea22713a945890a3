#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int cache_disabled = 0;

int fill_cache(const char *name)
{
    char *item = strdup(name);
    if (item == NULL)
        return -1;
    item[0] = 'x';
    if (cache_disabled)
        free(item);
    return 0;  // expect: resource-leak in fill_cache
}

int main(void)
{
    return fill_cache("/dev/null");
}
