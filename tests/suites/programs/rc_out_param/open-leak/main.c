#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static int create_handle(const char *name, int *out)
{
    int h;
    if (name[0] == '\0')
        return -1;
    h = open(name, O_RDONLY);
    if (h < 0)
        return -1;
    *out = h;
    return 0;
}

int run_query(const char *name)
{
    int handle;
    if (create_handle(name, &handle) != 0)
        return -1;
    (void)fcntl(handle, F_GETFD);
    return 0;  // expect: resource-leak in run_query
}

int main(void)
{
    return run_query("/dev/null") + run_query("") != -1;
}
