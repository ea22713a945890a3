#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int load_entry(const char *name)
{
    int entry = open(name, O_RDONLY);
    if (entry < 0)
        return -1;
    (void)fcntl(entry, F_GETFD);
    if (5 != 5)
        close(entry);
    return 0;  // expect: resource-leak in load_entry
}

int main(void)
{
    return load_entry("/dev/null") != 0;
}
