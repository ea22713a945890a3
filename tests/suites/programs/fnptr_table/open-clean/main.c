#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

struct backend_ops {
    int (*acquire)(const char *name);
    void (*release)(int r);
};

static int backend_acquire(const char *name)
{
    return open(name, O_RDONLY);
}

static void backend_release(int r)
{
    close(r);
}

static const struct backend_ops backends[] = {
    {backend_acquire, backend_release},
};

int backup(const char *name, int mode)
{
    const struct backend_ops *ops = &backends[mode];
    int r = ops->acquire(name);
    if (r < 0)
        return -1;
    (void)fcntl(r, F_GETFD);
    if (name[0] == '/') {
        ops->release(r);
        return 1;
    }
    ops->release(r);
    return 0;
}

int main(void)
{
    return backup("/dev/null", 0) != 1;
}
