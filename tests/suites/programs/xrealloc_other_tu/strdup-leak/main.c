#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xmalloc.h"

int append(const char *name, size_t extra)
{
    char *buf = strdup(name);
    if (buf == NULL)
        return -1;
    buf[0] = 'x';
    buf = realloc(buf, strlen(name) + extra + 1);  // expect: leak-on-overwrite in append
    if (buf == NULL)
        return -1;
    strcat(buf, name);
    free(buf);
    return 0;
}

int main(void)
{
    return append("/dev/null", 8);
}
