#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xmalloc.h"

int append(const char *name, size_t extra)
{
    char *buf = realloc(NULL, strlen(name) + 1);
    if (buf == NULL)
        return -1;
    buf[0] = '\0';
    buf = xrealloc(buf, strlen(name) + extra + 1);
    strcat(buf, name);
    free(buf);
    return 0;
}

int main(void)
{
    return append("/dev/null", 8);
}
