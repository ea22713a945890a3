#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "settings.h"

int stage(const char *name)
{
    FILE *buf = fopen(name, "r");
    if (buf == NULL)
        return -1;
    (void)fgetc(buf);
    if (release_buffers)
        fclose(buf);
    return 0;
}

int main(void)
{
    return stage("/dev/null");
}
