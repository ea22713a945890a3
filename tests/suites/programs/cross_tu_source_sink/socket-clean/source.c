#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "res.h"

int make_res(const char *name)
{
    return socket(AF_UNIX, SOCK_STREAM, 0);
}
