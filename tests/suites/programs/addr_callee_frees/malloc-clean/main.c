#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dispose(char **arg)
{
    free(*arg);
    *arg = NULL;
}

static void inspect(char **arg)
{
    (*arg)[0] = '\0';
}

int work(const char *name)
{
    char *data = malloc(strlen(name) + 1);
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
