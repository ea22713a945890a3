#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "settings.h"

int stage(const char *name)
{
    int buf = open(name, O_RDONLY);
    if (buf < 0)
        return -1;
    (void)fcntl(buf, F_GETFD);
    if (release_buffers)
        close(buf);
    return 0;  // expect: resource-leak in stage
}

int main(void)
{
    return stage("/dev/null");
}
