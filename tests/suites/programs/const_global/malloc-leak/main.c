#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const int close_after_use;
const int close_after_use = 0;

int probe(const char *name)
{
    char *handle = malloc(strlen(name) + 1);
    if (handle == NULL)
        return -1;
    handle[0] = '\0';
    if (close_after_use == 1)
        free(handle);
    return 0;  // expect: resource-leak in probe
}

int main(void)
{
    return probe("/dev/null");
}
