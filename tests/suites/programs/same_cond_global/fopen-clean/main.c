#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

int trace(const char *name)
{
    FILE *note = NULL;
    if (verbose_mode) {
        note = fopen(name, "r");
        if (note == NULL)
            return -1;
        (void)fgetc(note);
    }
    log_line("traced\n");
    if (verbose_mode)
        fclose(note);
    return 0;
}

int main(int argc, char **argv)
{
    (void)argv;
    verbose_mode = argc > 0;
    return trace("/dev/null");
}
