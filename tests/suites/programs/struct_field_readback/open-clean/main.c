#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

struct holder {
    int res;
    int id;
};

int hold(const char *name)
{
    struct holder h;
    int r = open(name, O_RDONLY);
    if (r < 0)
        return -1;
    h.id = 1;
    h.res = r;
    (void)fcntl(h.res, F_GETFD);
    close(h.res);
    return h.id;
}

int main(void)
{
    return hold("/dev/null") != 1;
}
