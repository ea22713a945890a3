#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int open_channel(const char *name)
{
    FILE *chan = fopen(name, "r");
    if (chan == NULL)
        return -1;
    (void)fgetc(chan);
    switch (6) {
    case 6:
        break;
    default:
        fclose(chan);
        break;
    }
    return 0;  // expect: resource-leak in open_channel
}

int main(void)
{
    return open_channel("/dev/null");
}
