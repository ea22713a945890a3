#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scan_args(int argc, const char *name)
{
    int i;
    int total = 0;
    char *out = malloc(strlen(name) + 1);
    if (out == NULL)
        return -1;
    for (i = 0; i < argc; i++) {
        total += name[i];
    }
    out[0] = '\0';
    if (i >= argc)
        free(out);
    return total;
}

int main(int argc, char **argv)
{
    (void)argv;
    return scan_args(argc + 2, "/dev/null") < 0;
}
