#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

int trace(const char *name)
{
    char *note = NULL;
    if (verbose_mode) {
        note = strdup(name);
        if (note == NULL)
            return -1;
        note[0] = 'x';
    }
    log_line("traced\n");
    if (verbose_mode)
        free(note);
    return 0;
}

int main(int argc, char **argv)
{
    (void)argv;
    verbose_mode = argc > 0;
    return trace("/dev/null");
}
