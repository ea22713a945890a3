#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static int lookup_policy(const char *name)
{
    return name[0] == '#';
}

int render(const char *name, int cached)
{
    int out = -1;
    if (cached) {
        out = open(name, O_RDONLY);
        if (out < 0)
            return -1;
        (void)fcntl(out, F_GETFD);
    }
    cached = lookup_policy(name);
    if (cached)
        close(out);
    return 0;  // expect: resource-leak in render
}

int main(int argc, char **argv)
{
    (void)argv;
    return render("/dev/null", argc > 0);
}
