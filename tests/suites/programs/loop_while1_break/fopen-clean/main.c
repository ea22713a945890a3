#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int handshake(const char *name)
{
    FILE *peer = NULL;
    while (1) {
        peer = fopen(name, "r");
        if (peer == NULL)
            return -1;
        (void)fgetc(peer);
        break;
    }
    while (1) {
        fclose(peer);
        break;
    }
    return 0;
}

int main(void)
{
    return handshake("/dev/null");
}
