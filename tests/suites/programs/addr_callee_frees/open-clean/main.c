#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static void dispose(int *arg)
{
    close(*arg);
    *arg = -1;
}

static void inspect(int *arg)
{
    (void)fcntl(*arg, F_GETFD);
}

int work(const char *name)
{
    int data = open(name, O_RDONLY);
    if (data < 0)
        return -1;
    inspect(&data);
    dispose(&data);
    return 0;
}

int main(void)
{
    return work("/dev/null");
}
