#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

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
    int data = -1;
    if (owned) {
        data = socket(AF_UNIX, SOCK_STREAM, 0);
        if (data < 0)
            return -1;
        (void)fcntl(data, F_GETFD);
    }
    parse_flags(name, &owned);
    if (owned)
        close(data);
    return sum;  // expect: resource-leak in import_file
}

int main(void)
{
    return import_file("/dev/null") < 0;
}
