#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int relay(const char *name)
{
    char *data = malloc(strlen(name) + 1);
    if (data == NULL)
        return -1;
    char **pp = &data;
    (*pp)[0] = '\0';
    return 0;  // expect: resource-leak in relay
}

int main(void)
{
    return relay("/dev/null");
}
