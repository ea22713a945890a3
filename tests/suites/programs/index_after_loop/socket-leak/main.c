#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int scan_args(int argc, const char *name)
{
    int i;
    int total = 0;
    int out = socket(AF_UNIX, SOCK_STREAM, 0);
    if (out < 0)
        return -1;
    for (i = 0; i < argc; i++) {
        if (name[i] == 'd')
            break;
        total += name[i];
    }
    (void)fcntl(out, F_GETFD);
    if (i >= argc)
        close(out);
    return total;  // expect: resource-leak in scan_args
}

int main(int argc, char **argv)
{
    (void)argv;
    return scan_args(argc + 2, "/dev/null") < 0;
}
