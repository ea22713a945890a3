#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int load_entry(const char *name)
{
    char *entry = strdup(name);
    if (entry == NULL)
        return -1;
    entry[0] = 'x';
    if (5 != 5)
        free(entry);
    return 0;  // expect: resource-leak in load_entry
}

int main(void)
{
    return load_entry("/dev/null") != 0;
}
