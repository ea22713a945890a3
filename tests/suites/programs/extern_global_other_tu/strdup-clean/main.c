#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "settings.h"

int stage(const char *name)
{
    char *buf = strdup(name);
    if (buf == NULL)
        return -1;
    buf[0] = 'x';
    if (release_buffers)
        free(buf);
    return 0;
}

int main(void)
{
    return stage("/dev/null");
}
