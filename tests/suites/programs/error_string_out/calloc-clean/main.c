#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *name, char **cause)
{
    if (name[0] != '\0')
        return 0;
    *cause = calloc(strlen(name) + 1, 1);
    if (*cause != NULL)
        (*cause)[0] = 'x';
    return -1;
}

int configure(const char *name)
{
    char *cause;
    if (parse_port(name, &cause) != 0) {
        fprintf(stderr, "bad port\n");
        free(cause);
        return -1;
    }
    return 0;
}

int main(void)
{
    return configure("/dev/null") + configure("") != -1;
}
