#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static void inspect(int r)
{
    (void)fcntl(r, F_GETFD);
}

int serve_once(const char *name)
{
    void (*done)(int) = inspect;
    int r = open(name, O_RDONLY);
    if (r < 0)
        return -1;
    (void)fcntl(r, F_GETFD);
    done(r);
    return 0;  // expect: resource-leak in serve_once
}

int main(void)
{
    return serve_once("/dev/null");
}
