#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int handshake(const char *name)
{
    int peer = -1;
    while (1) {
        peer = open(name, O_RDONLY);
        if (peer < 0)
            return -1;
        (void)fcntl(peer, F_GETFD);
        break;
    }
    while (1) {
        if (name[0] == '/')
            break;
        close(peer);
        break;
    }
    return 0;  // expect: resource-leak in handshake
}

int main(void)
{
    return handshake("/dev/null");
}
