#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static int pending = -1;

static void flush_pending(void)
{
    int r = pending;
    pending = -1;
    (void)fcntl(r, F_GETFD);
    close(r);
}

int produce(const char *name)
{
    int r = open(name, O_RDONLY);
    if (r < 0)
        return -1;
    pending = r;
    flush_pending();
    return 0;
}

int main(void)
{
    return produce("/dev/null");
}
