#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

static void open_source(const char *name, int &out)
{
    out = open(name, O_RDONLY);
}

int consume(const char *name)
{
    int data = -1;
    open_source(name, data);
    if (data < 0)
        return -1;
    (void)fcntl(data, F_GETFD);
    return 0;  // expect: resource-leak in consume
}

int main()
{
    return consume("/dev/null");
}
