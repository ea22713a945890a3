#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int copy_label(const char *name, char *dst, size_t cap)
{
    char *label = strdup(name);
    if (label == NULL)
        return -1;
    strcpy(label, name);
    if (strchr(label, '/') != NULL && strlen(label) < cap)
        memcpy(dst, label, strlen(label) + 1);
    memmove(label, label, 1);
    memset(label, 0, strlen(name));
    free(label);
    return 0;
}

int main(void)
{
    char out[64];
    return copy_label("/dev/null", out, sizeof out);
}
