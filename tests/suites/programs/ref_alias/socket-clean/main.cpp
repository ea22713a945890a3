#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int stash(const char *name)
{
    int data = socket(AF_UNIX, SOCK_STREAM, 0);
    if (data < 0)
        return -1;
    int &alias = data;
    (void)fcntl(alias, F_GETFD);
    close(alias);
    return 0;
}

int main()
{
    return stash("/dev/null");
}
