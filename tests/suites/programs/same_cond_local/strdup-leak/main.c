#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_flags(const char *text, int *owned)
{
    *owned = text[0] == '#';
}

static int checksum(const char *text)
{
    int sum = 0;
    while (*text)
        sum += *text++;
    return sum;
}

int import_file(const char *name)
{
    int owned = strlen(name) > 3;
    int sum = 0;
    char *data = NULL;
    if (owned) {
        data = strdup(name);
        if (data == NULL)
            return -1;
        data[0] = 'x';
    }
    parse_flags(name, &owned);
    if (owned)
        free(data);
    return sum;  // expect: resource-leak in import_file
}

int main(void)
{
    return import_file("/dev/null") < 0;
}
