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
    FILE *table = fopen(name, "r");
    if (table == NULL)
        return -1;
    (void)fgetc(table);
    if (owns_result())
        fclose(table);
    return 0;
}

int main(void)
{
    return export_table("/dev/null");
}
