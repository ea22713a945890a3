#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "config.h"

int trace(const char *name)
{
    int note = -1;
    if (verbose_mode) {
        note = open(name, O_RDONLY);
        if (note < 0)
            return -1;
        (void)fcntl(note, F_GETFD);
    }
    log_line("traced\n");
    if (verbose_mode)
        close(note);
    return 0;
}

int main(int argc, char **argv)
{
    (void)argv;
    verbose_mode = argc > 0;
    return trace("/dev/null");
}
