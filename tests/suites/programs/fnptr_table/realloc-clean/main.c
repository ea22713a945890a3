#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct backend_ops {
    char * (*acquire)(const char *name);
    void (*release)(char *r);
};

static char *backend_acquire(const char *name)
{
    return realloc(NULL, strlen(name) + 1);
}

static void backend_release(char *r)
{
    free(r);
}

static const struct backend_ops backends[] = {
    {backend_acquire, backend_release},
};

int backup(const char *name, int mode)
{
    const struct backend_ops *ops = &backends[mode];
    char *r = ops->acquire(name);
    if (r == NULL)
        return -1;
    r[0] = '\0';
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
