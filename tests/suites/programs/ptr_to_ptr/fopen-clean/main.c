#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int relay(const char *name)
{
    FILE *data = fopen(name, "r");
    if (data == NULL)
        return -1;
    FILE **pp = &data;
    (void)fgetc(*pp);
    fclose(*pp);
    return 0;
}

int main(void)
{
    return relay("/dev/null");
}
