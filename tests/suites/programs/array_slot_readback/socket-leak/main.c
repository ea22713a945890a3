#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int fill_slots(const char *name)
{
    int slots[4];
    int i;
    for (i = 0; i < 4; i++)
        slots[i] = -1;
    slots[1] = socket(AF_UNIX, SOCK_STREAM, 0);
    if (slots[1] < 0)
        return -1;
    (void)fcntl(slots[1], F_GETFD);
    return 0;  // expect: resource-leak in fill_slots
}

int main(void)
{
    return fill_slots("/dev/null");
}
