#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

union handle {
    int res;
    unsigned int raw;
};

int swap_out(const char *name)
{
    union handle h;
    h.res = socket(AF_UNIX, SOCK_STREAM, 0);
    if (h.res < 0)
        return -1;
    (void)fcntl(h.res, F_GETFD);
    close(h.raw);
    return 0;
}

int main(void)
{
    return swap_out("/dev/null");
}
