#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

enum { RECORD_SIZE = 16, HEADER_SIZE = 4 };

int read_record(const char *name)
{
    int rec = socket(AF_UNIX, SOCK_STREAM, 0);
    if (rec < 0)
        return -1;
    (void)fcntl(rec, F_GETFD);
    if (sizeof(long) < sizeof(char) || RECORD_SIZE < HEADER_SIZE)
        close(rec);
    return 0;  // expect: resource-leak in read_record
}

int main(void)
{
    return read_record("/dev/null");
}
