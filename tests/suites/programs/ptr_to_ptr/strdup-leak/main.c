#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int relay(const char *name)
{
    char *data = strdup(name);
    if (data == NULL)
        return -1;
    char **pp = &data;
    (*pp)[0] = 'x';
    return 0;  // expect: resource-leak in relay
}

int main(void)
{
    return relay("/dev/null");
}
