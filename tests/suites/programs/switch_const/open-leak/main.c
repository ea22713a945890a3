#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int open_channel(const char *name)
{
    int chan = open(name, O_RDONLY);
    if (chan < 0)
        return -1;
    (void)fcntl(chan, F_GETFD);
    switch (6) {
    case 6:
        break;
    default:
        close(chan);
        break;
    }
    return 0;  // expect: resource-leak in open_channel
}

int main(void)
{
    return open_channel("/dev/null");
}
