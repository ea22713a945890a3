#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static int finish(int r)
{
    close(r);
    return r;
}

static int check(int r)
{
    (void)fcntl(r, F_GETFD);
    return r;
}

int cycle(const char *name)
{
    int r = open(name, O_RDONLY);
    if (r < 0)
        return -1;
    r = check(r);
    r = finish(r);
    return 0;
}

int main(void)
{
    return cycle("/dev/null");
}
