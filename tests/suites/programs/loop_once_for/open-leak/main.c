#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int warm_up(const char *name)
{
    int res = -1;
    int i;
    for (i = 0; i < 2; i++) {
        res = open(name, O_RDONLY);  // expect: leak-on-overwrite in warm_up
        if (res < 0)
            return -1;
        (void)fcntl(res, F_GETFD);
    }
    for (i = 0; i < 1; i++)
        close(res);
    return 0;
}

int main(void)
{
    return warm_up("/dev/null");
}
