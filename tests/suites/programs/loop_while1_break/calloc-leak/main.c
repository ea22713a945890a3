#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int handshake(const char *name)
{
    char *peer = NULL;
    while (1) {
        peer = calloc(strlen(name) + 1, 1);
        if (peer == NULL)
            return -1;
        peer[0] = 'x';
        break;
    }
    while (1) {
        if (name[0] == '/')
            break;
        free(peer);
        break;
    }
    return 0;  // expect: resource-leak in handshake
}

int main(void)
{
    return handshake("/dev/null");
}
