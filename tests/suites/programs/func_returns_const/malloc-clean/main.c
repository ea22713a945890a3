#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int owns_result(void)
{
    return 1;
}

int export_table(const char *name)
{
    char *table = malloc(strlen(name) + 1);
    if (table == NULL)
        return -1;
    table[0] = '\0';
    if (owns_result())
        free(table);
    return 0;
}

int main(void)
{
    return export_table("/dev/null");
}
