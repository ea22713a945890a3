#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strsplit.h"

char **str_split(const char *s, char sep, int *count)
{
    int n = 1;
    int i = 0;
    const char *p;
    char **parts;
    for (p = s; *p; p++)
        n += *p == sep;
    parts = calloc(n, sizeof *parts);
    if (parts == NULL)
        return NULL;
    for (p = s; i < n; i++) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        parts[i] = strndup(p, len);
        p += len + 1;
    }
    *count = n;
    return parts;
}

void str_free_split(char **parts, int count)
{
    int i;
    if (parts == NULL)
        return;
    for (i = 0; i < count; i++)
        free(parts[i]);
    free(parts);
}

const char *str_part(char *const *parts, int i)
{
    return parts[i];
}
