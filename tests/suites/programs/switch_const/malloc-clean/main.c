#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int open_channel(const char *name)
{
    char *chan = malloc(strlen(name) + 1);
    if (chan == NULL)
        return -1;
    chan[0] = '\0';
    switch (6) {
    case 6:
        free(chan);
        break;
    default:
        break;
    }
    return 0;
}

int main(void)
{
    return open_channel("/dev/null");
}
