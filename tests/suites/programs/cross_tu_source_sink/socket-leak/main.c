#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "res.h"

int run(const char *name)
{
    int r = make_res(name);
    if (r < 0)
        return -1;
    consume_res(r);
    return 0;  // expect: resource-leak in run
}

int main(void)
{
    return run("/dev/null");
}
