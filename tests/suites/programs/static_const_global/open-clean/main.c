#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static const int cache_disabled = 1;

int fill_cache(const char *name)
{
    int item = open(name, O_RDONLY);
    if (item < 0)
        return -1;
    (void)fcntl(item, F_GETFD);
    if (cache_disabled)
        close(item);
    return 0;
}

int main(void)
{
    return fill_cache("/dev/null");
}
