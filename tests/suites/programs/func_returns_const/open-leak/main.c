#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static int owns_result(void)
{
    return 0;
}

int export_table(const char *name)
{
    int table = open(name, O_RDONLY);
    if (table < 0)
        return -1;
    (void)fcntl(table, F_GETFD);
    if (owns_result())
        close(table);
    return 0;  // expect: resource-leak in export_table
}

int main(void)
{
    return export_table("/dev/null");
}
