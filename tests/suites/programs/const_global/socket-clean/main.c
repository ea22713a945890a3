#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

extern const int close_after_use;
const int close_after_use = 1;

int probe(const char *name)
{
    int handle = socket(AF_UNIX, SOCK_STREAM, 0);
    if (handle < 0)
        return -1;
    (void)fcntl(handle, F_GETFD);
    if (close_after_use == 1)
        close(handle);
    return 0;
}

int main(void)
{
    return probe("/dev/null");
}
