#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strsplit.h"

int count_fields(const char *line, int min)
{
    int n = 0;
    char **parts = str_split(line, ',', &n);
    if (parts == NULL)
        return -1;
    if (n < min) {
        str_free_split(parts, n);
        return -1;
    }
    puts(str_part(parts, 0));
    str_free_split(parts, n);
    return n;
}

int collect(int n)
{
    int i;
    char **list = calloc(n, sizeof *list);
    if (list == NULL)
        return -1;
    for (i = 0; i < n; i++)
        list[i] = strdup("item");
    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return n;
}

int main(void)
{
    return count_fields("a,b", 3) + collect(2) != 1;
}
