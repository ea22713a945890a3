#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lookup_policy(const char *name)
{
    return name[0] == '#';
}

int render(const char *name, int cached)
{
    char *out = NULL;
    if (cached) {
        out = malloc(strlen(name) + 1);
        if (out == NULL)
            return -1;
        out[0] = '\0';
    }
    cached = lookup_policy(name);
    if (cached)
        free(out);
    return 0;  // expect: resource-leak in render
}

int main(int argc, char **argv)
{
    (void)argv;
    return render("/dev/null", argc > 0);
}
