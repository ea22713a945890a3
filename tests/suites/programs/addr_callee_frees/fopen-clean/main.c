#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dispose(FILE **arg)
{
    fclose(*arg);
    *arg = NULL;
}

static void inspect(FILE **arg)
{
    (void)fgetc(*arg);
}

int work(const char *name)
{
    FILE *data = fopen(name, "r");
    if (data == NULL)
        return -1;
    inspect(&data);
    dispose(&data);
    return 0;
}

int main(void)
{
    return work("/dev/null");
}
