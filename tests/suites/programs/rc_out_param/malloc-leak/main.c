#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int create_handle(const char *name, char **out)
{
    char *h;
    if (name[0] == '\0')
        return -1;
    h = malloc(strlen(name) + 1);
    if (h == NULL)
        return -1;
    *out = h;
    return 0;
}

int run_query(const char *name)
{
    char *handle;
    if (create_handle(name, &handle) != 0)
        return -1;
    handle[0] = '\0';
    return 0;  // expect: resource-leak in run_query
}

int main(void)
{
    return run_query("/dev/null") + run_query("") != -1;
}
