#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *name, char **cause)
{
    if (name[0] != '\0')
        return 0;
    *cause = strdup(name);
    if (*cause != NULL)
        (*cause)[0] = 'x';
    return -1;
}

int configure(const char *name)
{
    char *cause;
    if (parse_port(name, &cause) != 0) {
        fprintf(stderr, "bad port\n");
        return -1;  // expect: resource-leak in configure
    }
    return 0;
}

int main(void)
{
    return configure("/dev/null") + configure("") != -1;
}
